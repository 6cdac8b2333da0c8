// Asks many servers (the chunkservers of a cluster) the same question at once, so that one
// that hangs, refuses or sends garbage is an error value for that server only and never
// stalls the rest. Single-threaded: non-blocking sockets and one poll() loop, because it runs
// inside a check that costs a few milliseconds and must not start threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "transport/deadline.h"
#include "transport/frame.h"

namespace mfsmon::transport {

struct ExchangeTarget {
    std::string host;  // numeric IPv4/IPv6 address: they come from the master's list
    std::uint16_t port;
    // A connected socket to this target to ask on (kept from an earlier exchange; ownership
    // passes to ExchangeAll), or -1 to connect. One that turns out to be closed before it
    // answered anything is replaced by a fresh connection, within the target's deadline.
    int reuse_fd = -1;
};

struct ExchangeRequest {
    std::uint32_t request_type;
    std::vector<std::uint8_t> request_payload;
    std::uint32_t answer_type;
    std::uint32_t max_answer_length;  // refused before allocating; capped at kMaxPayloadLength
    std::string request_name;         // "CLTOCS_HDD_LIST", for messages
};

struct ExchangeLimits {
    std::chrono::milliseconds per_target;
    std::size_t max_open = 64;  // 0 is taken as 1
};

// One result per target, in the targets' order. Each target gets its own deadline:
// min(run deadline, the moment its connect starts + per_target). At most max_open sockets are
// open at once; the rest wait their turn (their per-target clock starts when they start).
//
// Per target: connect, send the request, read one answer frame, skipping NOPs. Error packets
// 1/2, a wrong type, a length over max_answer_length, a close, a socket error and a timeout are
// each an Error whose one-line message names the target "host:port". A non-numeric host is an
// error for that target: names are never resolved here. Returns by the run deadline at the
// latest, with every socket closed -- except, when `kept` is given, the sockets of the targets
// whose answer was read completely with no byte after it: those are left open and stored in
// `kept` (one entry per target, -1 for the others), and the caller owns them.
std::vector<Result<Frame>> ExchangeAll(std::span<const ExchangeTarget> targets,
                                       const ExchangeRequest& request, const ExchangeLimits& limits,
                                       const Deadline& run, std::vector<int>* kept = nullptr);

// Test hook: called on every turn of ExchangeAll's poll loop right before poll(), when the
// most sockets are open, so a test can count the process's descriptors. Empty (the default)
// disables it. Not thread-safe; tests only.
void SetExchangePollHookForTesting(std::function<void()> hook);

}  // namespace mfsmon::transport
