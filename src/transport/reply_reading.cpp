#include "transport/reply_reading.h"

#include <cstring>

#include <fmt/format.h>

#include "transport/frame.h"

namespace mfsmon::transport::reply {

std::uint32_t GetU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

Header ParseHeader(const std::uint8_t* p) {
    return Header{GetU32(p), GetU32(p + 4)};
}

std::string SecondsText(std::chrono::milliseconds budget) {
    return fmt::format("{:g} s", static_cast<double>(budget.count()) / 1000.0);
}

std::string PeerName(std::string_view host, std::uint16_t port) {
    return host.find(':') != std::string_view::npos ? fmt::format("[{}]:{}", host, port)
                                                    : fmt::format("{}:{}", host, port);
}

std::string ErrnoText(int err) {
    return std::strerror(err);
}

Status CheckHeader(const Header& header, std::uint32_t expected_type, std::uint32_t max_length,
                   std::string_view peer, std::string_view request_name) {
    if (max_length > kMaxPayloadLength) max_length = kMaxPayloadLength;
    const std::uint32_t type = header.type;
    const std::uint32_t length = header.length;
    if (type == kUnknownCommandType || type == kBadCommandSizeType) {
        return MakeError(ErrorKind::kErrorPacket,
                         fmt::format("{} answered {} with {}", peer, request_name,
                                     type == kUnknownCommandType ? "ANTOAN_UNKNOWN_COMMAND"
                                                                 : "ANTOAN_BAD_COMMAND_SIZE"));
    }
    const std::uint32_t cap = type == kNopType ? kMaxNopLength : max_length;
    if (type != kNopType && type != expected_type) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("unexpected packet type {} (length {}) from {} in answer "
                                     "to {} (expected type {})",
                                     type, length, peer, request_name, expected_type));
    }
    if (type == kNopType && length > cap) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("keep-alive (NOP) packet from {} while waiting for the "
                                     "answer to {} claims {} bytes (at most {})",
                                     peer, request_name, length, cap));
    }
    if (length > cap) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("answer to {} from {} claims {} bytes, more than the {} "
                                     "this answer can have",
                                     request_name, peer, length, cap));
    }
    return OkStatus();
}

Error ClosedInHeader(std::string_view peer, std::string_view request_name, std::size_t got) {
    if (got == 0) {
        return MakeError(ErrorKind::kClosed,
                         fmt::format("{} closed the connection instead of answering {} (it "
                                     "closes on requests it rejects)",
                                     peer, request_name));
    }
    return MakeError(ErrorKind::kClosed,
                     fmt::format("{} closed the connection in the middle of the "
                                 "header of the answer to {} ({} of 8 bytes)",
                                 peer, request_name, got));
}

Error ClosedInPayload(std::string_view peer, std::string_view request_name, std::size_t got,
                      std::uint32_t length) {
    return MakeError(ErrorKind::kClosed,
                     fmt::format("{} closed the connection in the middle of the answer "
                                 "to {} ({} of {} bytes)",
                                 peer, request_name, got, length));
}

Error NoAnswerTimeout(std::string_view peer, std::string_view request_name,
                      std::string_view budget_text, std::size_t nops) {
    return MakeError(
        ErrorKind::kTimeout,
        fmt::format(
            "timeout: no answer to {} from {} within {}{}", request_name, peer, budget_text,
            nops > 0 ? fmt::format(" ({} keep-alive packets skipped)", nops) : std::string()));
}

Error IncompleteTimeout(std::string_view peer, std::string_view request_name,
                        std::string_view budget_text, std::size_t got, std::uint32_t length) {
    return MakeError(ErrorKind::kTimeout,
                     fmt::format("timeout: the answer to {} from {} was incomplete "
                                 "after {} ({} of {} bytes)",
                                 request_name, peer, budget_text, got, length));
}

Error ReadFailed(ErrorKind kind, std::string_view peer, std::string_view request_name,
                 std::string_view detail) {
    return MakeError(kind, fmt::format("reading the answer to {} from {} failed: {}", request_name,
                                       peer, detail));
}

Error ConnectTimeout(std::string_view peer, std::string_view budget_text) {
    return MakeError(ErrorKind::kTimeout, fmt::format("timeout: connect to {} did not complete "
                                                      "within {}",
                                                      peer, budget_text));
}

Error SendTimeout(std::string_view peer, std::string_view budget_text) {
    return MakeError(
        ErrorKind::kTimeout,
        fmt::format("timeout: could not send the request to {} within {}", peer, budget_text));
}

Error SendFailed(std::string_view peer, int err) {
    return MakeError(ErrorKind::kIo, fmt::format("send to {} failed: {}", peer, ErrnoText(err)));
}

}  // namespace mfsmon::transport::reply
