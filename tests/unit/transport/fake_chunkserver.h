// Scriptable fake chunkservers on 127.0.0.1 for the multi-exchange tests: each listens on an
// ephemeral port and runs its script, in its own background thread, on every connection it
// accepts. They do what a real chunkserver cannot be made to do: hang, trickle, truncate, lie
// about lengths, send garbage.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "transport/multi_exchange.h"

namespace mfsmon::transport::test {

using Bytes = std::vector<std::uint8_t>;

struct Request {
    std::uint32_t type = 0;
    Bytes payload;
};

// The server side of one accepted connection.
class FakeConnection {
  public:
    FakeConnection(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}

    // One client packet; nullopt when the client closed (or the server is stopping).
    std::optional<Request> ReadRequest();
    // Writes everything; false once the client is gone or the server stops.
    bool Write(const Bytes& bytes);
    // One byte per `gap`, until done, the client is gone or the server stops.
    bool WriteSlowly(const Bytes& bytes, std::chrono::milliseconds gap);
    // Blocks until the client closes (or the server stops): "accepts but never answers".
    void WaitForClose();
    // Idles `d` unless the server stops first; false when stopping.
    bool Sleep(std::chrono::milliseconds d);
    // Closes with a reset (RST) instead of an orderly FIN.
    void Reset();

  private:
    int fd_;
    const std::atomic<bool>& stopping_;
};

class FakeChunkserver {
  public:
    using Script = std::function<void(FakeConnection&)>;

    explicit FakeChunkserver(Script script);
    ~FakeChunkserver();
    FakeChunkserver(const FakeChunkserver&) = delete;
    FakeChunkserver& operator=(const FakeChunkserver&) = delete;

    std::uint16_t port() const { return port_; }
    ExchangeTarget target() const { return {"127.0.0.1", port_}; }

  private:
    void AcceptLoop();

    Script script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// A loopback port that refuses connections: bound (so nobody else takes it while the test
// runs) but not listening, so a connect gets a reset.
class RefusingPort {
  public:
    RefusingPort();
    ~RefusingPort();
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;

    std::uint16_t port() const { return port_; }
    ExchangeTarget target() const { return {"127.0.0.1", port_}; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// Frame helpers.
Bytes Packet(std::uint32_t type, const Bytes& payload);  // header + payload
Bytes Header(std::uint32_t type, std::uint32_t length);
Bytes Concat(const Bytes& a, const Bytes& b);

// Descriptors this process has open now (entries of /proc/self/fd).
int OpenDescriptors();

}  // namespace mfsmon::transport::test
