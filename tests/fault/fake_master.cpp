#include "fake_master.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace mfsmon::fault {

namespace {

constexpr int kPollMs = 20;  // how often blocked server calls look at the stop flag

void PutU32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

}  // namespace

Bytes Header(std::uint32_t type, std::uint32_t length) {
    Bytes out;
    PutU32(out, type);
    PutU32(out, length);
    return out;
}

Bytes Frame(std::uint32_t type, const Bytes& payload) {
    Bytes out = Header(type, static_cast<std::uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Bytes Concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

std::optional<Request> FakeConnection::ReadRequest() {
    auto read_exact = [this](std::uint8_t* out, std::size_t n) {
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
    };
    std::uint8_t h[8];
    if (!read_exact(h, sizeof h)) return std::nullopt;
    Request req;
    req.type = (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) |
               (std::uint32_t{h[2]} << 8) | h[3];
    const std::uint32_t len = (std::uint32_t{h[4]} << 24) | (std::uint32_t{h[5]} << 16) |
                              (std::uint32_t{h[6]} << 8) | h[7];
    if (len > (1u << 20)) return std::nullopt;  // not a request mfsmon would send
    req.payload.resize(len);
    if (len > 0 && !read_exact(req.payload.data(), len)) return std::nullopt;
    return req;
}

bool FakeConnection::Write(const Bytes& bytes) {
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

bool FakeConnection::WriteSlowly(const Bytes& bytes, std::chrono::milliseconds gap) {
    for (std::uint8_t b : bytes) {
        if (!Write(Bytes{b}) || !Sleep(gap)) return false;
    }
    return true;
}

bool FakeConnection::Sleep(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
        if (stopping_) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return !stopping_;
}

void FakeConnection::WaitForClose() {
    std::uint8_t buf[512];
    while (!stopping_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, kPollMs) <= 0) continue;
        if (recv(fd_, buf, sizeof buf, 0) <= 0) return;
    }
}

FakeMaster::FakeMaster(Script script) : script_(std::move(script)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket failed");
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        listen(listen_fd_, 8) != 0) {
        throw std::runtime_error("bind/listen on 127.0.0.1 failed");
    }
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { AcceptLoop(); });
}

FakeMaster::~FakeMaster() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
}

void FakeMaster::AcceptLoop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, kPollMs) <= 0) continue;
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        // As a real master and chunkserver do: every write goes out at once. Without it,
        // Nagle can hold an answer back until the client's ACK, and a close with unread
        // requests (a reset) then discards that answer: answers written before a close would
        // be lost or not by timing.
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        FakeConnection conn(fd, stopping_);
        script_(conn);
        close(fd);
    }
}

}  // namespace mfsmon::fault
