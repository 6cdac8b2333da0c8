#include "fake_chunkserver.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace mfsmon::transport::test {

namespace {

constexpr int kPollMs = 20;  // how often blocked server calls look at the stop flag

void PutU32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint32_t GetU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}

// A socket bound to 127.0.0.1 at a free port.
int BoundLoopbackSocket(std::uint16_t& port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
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

}  // namespace

Bytes Header(std::uint32_t type, std::uint32_t length) {
    Bytes out;
    PutU32(out, type);
    PutU32(out, length);
    return out;
}

Bytes Packet(std::uint32_t type, const Bytes& payload) {
    Bytes out = Header(type, static_cast<std::uint32_t>(payload.size()));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Bytes Concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

int OpenDescriptors() {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    int count = 0;
    while (dirent* e = readdir(dir)) {
        if (e->d_name[0] != '.') ++count;
    }
    closedir(dir);
    return count - 1;  // the directory's own descriptor
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
    req.type = GetU32(h);
    const std::uint32_t len = GetU32(h + 4);
    if (len > 100000) return std::nullopt;  // a chunkserver closes on larger requests too
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

void FakeConnection::Reset() {
    // Linger 0: close() then sends RST, so the client's recv() fails with ECONNRESET.
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

FakeChunkserver::FakeChunkserver(Script script) : script_(std::move(script)) {
    listen_fd_ = BoundLoopbackSocket(port_);
    if (listen(listen_fd_, 16) != 0) {
        close(listen_fd_);
        throw std::runtime_error("listen on 127.0.0.1 failed");
    }
    thread_ = std::thread([this] { AcceptLoop(); });
}

FakeChunkserver::~FakeChunkserver() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
}

void FakeChunkserver::AcceptLoop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, kPollMs) <= 0) continue;
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        FakeConnection conn(fd, stopping_);
        script_(conn);
        close(fd);
    }
}

RefusingPort::RefusingPort() {
    fd_ = BoundLoopbackSocket(port_);
}

RefusingPort::~RefusingPort() {
    close(fd_);
}

}  // namespace mfsmon::transport::test
