// What Connection (one master, blocking by deadline) and ExchangeAll (many chunkservers, one
// poll loop) share about reading an answer: how a header is judged and how every way of
// failing is worded. Kept in one place so that a chunkserver's fault reads exactly like the
// same fault from a master, and a rule (say, the NOP cap) cannot drift between the two.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mfsmon::transport::reply {

// NOPs are tiny (length 4 from a master, 0 from a chunkserver); a "NOP" claiming more is
// garbage, not a keep-alive.
inline constexpr std::uint32_t kMaxNopLength = 64;

struct Header {
    std::uint32_t type = 0;
    std::uint32_t length = 0;
};

std::uint32_t GetU32(const std::uint8_t* p);
Header ParseHeader(const std::uint8_t* p);  // 8 bytes, big-endian

// "1 s", "0.5 s": how budgets appear in messages.
std::string SecondsText(std::chrono::milliseconds budget);

// "host:port", or "[host]:port" for IPv6, as messages name a peer.
std::string PeerName(std::string_view host, std::uint16_t port);

std::string ErrnoText(int err);

// Judges a header read while waiting for the answer to `request_name`: error packets 1/2, a
// wrong type, a NOP over kMaxNopLength and a length over `max_length` (itself capped at
// kMaxPayloadLength) are errors -- before anything is allocated. OK means: read `length`
// payload bytes, then skip the frame if it is a NOP.
Status CheckHeader(const Header& header, std::uint32_t expected_type, std::uint32_t max_length,
                   std::string_view peer, std::string_view request_name);

// The peer closed after `got` of the 8 header bytes (0: before answering at all).
Error ClosedInHeader(std::string_view peer, std::string_view request_name, std::size_t got);
// The peer closed after `got` of `length` payload bytes.
Error ClosedInPayload(std::string_view peer, std::string_view request_name, std::size_t got,
                      std::uint32_t length);
// No complete header within the budget; `nops` keep-alives were skipped on the way.
Error NoAnswerTimeout(std::string_view peer, std::string_view request_name,
                      std::string_view budget_text, std::size_t nops);
// A header arrived but only `got` of `length` payload bytes within the budget.
Error IncompleteTimeout(std::string_view peer, std::string_view request_name,
                        std::string_view budget_text, std::size_t got, std::uint32_t length);
// recv() failed with something other than a close or a timeout.
Error ReadFailed(ErrorKind kind, std::string_view peer, std::string_view request_name,
                 std::string_view detail);

Error ConnectTimeout(std::string_view peer, std::string_view budget_text);
Error SendTimeout(std::string_view peer, std::string_view budget_text);
Error SendFailed(std::string_view peer, int err);

}  // namespace mfsmon::transport::reply
