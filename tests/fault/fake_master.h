// A scriptable fake MooseFS master on loopback, for what a real master cannot be made to do:
// hang, trickle, truncate, lie about lengths, send garbage. Each test gives a script that
// runs on the server side of the one connection mfsmon opens.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace mfsmon::fault {

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
    // Writes everything; false once the client is gone.
    bool Write(const Bytes& bytes);
    // One byte per `gap`, until done, the client is gone or the server stops.
    bool WriteSlowly(const Bytes& bytes, std::chrono::milliseconds gap);
    // Blocks until the client closes (or the server stops): "accepts but never answers".
    void WaitForClose();
    // Idles `d` unless the server stops first; false when stopping.
    bool Sleep(std::chrono::milliseconds d);
    bool stopping() const { return stopping_.load(); }

  private:
    int fd_;
    const std::atomic<bool>& stopping_;
};

class FakeMaster {
  public:
    using Script = std::function<void(FakeConnection&)>;

    // Listens on 127.0.0.1 at a free port; runs `script` for each connection accepted,
    // then closes that connection.
    explicit FakeMaster(Script script);
    ~FakeMaster();
    FakeMaster(const FakeMaster&) = delete;
    FakeMaster& operator=(const FakeMaster&) = delete;

    std::uint16_t port() const { return port_; }

  private:
    void AcceptLoop();

    Script script_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// Frame helpers.
Bytes Frame(std::uint32_t type, const Bytes& payload);
Bytes Header(std::uint32_t type, std::uint32_t length);
Bytes Concat(const Bytes& a, const Bytes& b);

}  // namespace mfsmon::fault
