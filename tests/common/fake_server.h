// A scriptable fake server on 127.0.0.1: the common part of the fake MooseFS master
// (tests/fault/fake_master.h) and the fake chunkservers (tests/unit/transport/
// fake_chunkserver.h). It listens on a free loopback port and runs its script, in a background
// thread, on every connection it accepts, one connection at a time. The scripts do what a real
// server cannot be made to do: hang, trickle, truncate, lie about lengths, send garbage.
//
// Header-only, so that whatever compiles a fake (the bench may build tests/fault/fake_cluster.cpp
// and fake_master.cpp) needs no other source file.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace mfsmon::fake {

using Bytes = std::vector<std::uint8_t>;

struct Request {
    std::uint32_t type = 0;
    Bytes payload;
};

inline constexpr int kPollMs = 20;  // how often blocked server calls look at the stop flag

// ---- frames --------------------------------------------------------------------------------

inline void PutU32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

inline std::uint32_t GetU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}

inline Bytes Header(std::uint32_t type, std::uint32_t length) {
    Bytes out;
    PutU32(out, type);
    PutU32(out, length);
    return out;
}

// Header + payload.
inline Bytes Frame(std::uint32_t type, const Bytes& payload) {
    Bytes out = Header(type, static_cast<std::uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

inline Bytes Concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// ---- sockets -------------------------------------------------------------------------------

// A TCP socket bound to 127.0.0.1 at a free port, which it stores in `port`; throws when that
// fails. `reuse_address` sets SO_REUSEADDR before binding.
inline int BoundLoopbackSocket(std::uint16_t& port, bool reuse_address = false) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    if (reuse_address) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        throw std::runtime_error("bind on 127.0.0.1 failed");
    }
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

// A loopback port that refuses connections: bound (so nobody else takes it while the test
// runs) but not listening, so a connect gets a reset.
class RefusingPort {
  public:
    RefusingPort() { fd_ = BoundLoopbackSocket(port_); }
    ~RefusingPort() { close(fd_); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;

    std::uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// ---- the server side of one accepted connection ----------------------------------------------

class FakeConnection {
  public:
    FakeConnection(int fd, const std::atomic<bool>& stopping, std::uint32_t max_request)
        : fd_(fd), stopping_(stopping), max_request_(max_request) {}

    // One client packet; nullopt when the client closed (or the server is stopping), or when
    // it announces a payload longer than the server's limit.
    std::optional<Request> ReadRequest() {
        std::uint8_t h[8];
        if (!ReadExact(h, sizeof h)) return std::nullopt;
        Request req;
        req.type = GetU32(h);
        const std::uint32_t len = GetU32(h + 4);
        if (len > max_request_) return std::nullopt;
        req.payload.resize(len);
        if (len > 0 && !ReadExact(req.payload.data(), len)) return std::nullopt;
        return req;
    }

    // Writes everything; false once the client is gone or the server stops.
    bool Write(const Bytes& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            if (stopping_) return false;
            pollfd p{fd_, POLLOUT, 0};
            if (poll(&p, 1, kPollMs) <= 0) continue;
            ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // One byte per `gap`, until done, the client is gone or the server stops.
    bool WriteSlowly(const Bytes& bytes, std::chrono::milliseconds gap) {
        for (std::uint8_t b : bytes) {
            if (!Write(Bytes{b}) || !Sleep(gap)) return false;
        }
        return true;
    }

    // Blocks until the client closes (or the server stops): "accepts but never answers".
    void WaitForClose() {
        std::uint8_t buf[512];
        while (!stopping_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, kPollMs) <= 0) continue;
            if (recv(fd_, buf, sizeof buf, 0) <= 0) return;
        }
    }

    // Idles `d` unless the server stops first; false when stopping.
    bool Sleep(std::chrono::milliseconds d) {
        const auto end = std::chrono::steady_clock::now() + d;
        while (std::chrono::steady_clock::now() < end) {
            if (stopping_) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return !stopping_;
    }

    // Closes with a reset (RST) instead of an orderly FIN.
    void Reset() {
        // Linger 0: close() then sends RST, so the client's recv() fails with ECONNRESET.
        linger l{1, 0};
        setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }

    bool stopping() const { return stopping_.load(); }

  private:
    bool ReadExact(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            pollfd p{fd_, POLLIN, 0};
            int ready = poll(&p, 1, kPollMs);
            if (stopping_) return false;
            if (ready <= 0) continue;
            ssize_t r = recv(fd_, out + got, n - got, 0);
            if (r <= 0) return false;
            got += static_cast<std::size_t>(r);
        }
        return true;
    }

    int fd_;
    const std::atomic<bool>& stopping_;
    std::uint32_t max_request_;
};

// ---- the listening server ------------------------------------------------------------------

// How a fake server listens and reads; the defaults are a chunkserver's (which closes the
// connection on a request longer than 100000 bytes).
struct ServerOptions {
    int backlog = 16;
    bool reuse_address = false;          // SO_REUSEADDR on the listening socket
    bool no_delay = false;               // TCP_NODELAY on every accepted connection
    std::uint32_t max_request = 100000;  // longest request payload ReadRequest accepts
};

class FakeServer {
  public:
    using Script = std::function<void(FakeConnection&)>;

    // Listens on 127.0.0.1 at a free port; runs `script` for each connection accepted, then
    // closes that connection.
    FakeServer(Script script, ServerOptions options)
        : script_(std::move(script)), options_(options) {
        listen_fd_ = BoundLoopbackSocket(port_, options_.reuse_address);
        if (listen(listen_fd_, options_.backlog) != 0) {
            close(listen_fd_);
            throw std::runtime_error("listen on 127.0.0.1 failed");
        }
        thread_ = std::thread([this] { AcceptLoop(); });
    }
    ~FakeServer() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
        close(listen_fd_);
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    std::uint16_t port() const { return port_; }

  private:
    void AcceptLoop() {
        while (!stopping_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (poll(&p, 1, kPollMs) <= 0) continue;
            int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            if (options_.no_delay) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            }
            FakeConnection conn(fd, stopping_, options_.max_request);
            script_(conn);
            close(fd);
        }
    }

    Script script_;
    ServerOptions options_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace mfsmon::fake
