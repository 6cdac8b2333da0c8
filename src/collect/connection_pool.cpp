#include "collect/connection_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transport/frame.h"
#include "transport/reply_reading.h"

namespace mfsmon::collect {

namespace {

// What an idle connection may have received: only whole NOPs are read (a NOP still arriving
// stays in the socket for the borrower, whose reader skips NOPs). Anything else means the
// connection is out of step or closing: false.
bool DrainNops(int fd) {
    std::uint8_t buf[4096];
    while (true) {
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0) return false;  // closed by the peer
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        std::size_t whole = 0;  // bytes of complete NOP frames at the front
        while (whole + transport::kHeaderSize <= static_cast<std::size_t>(n)) {
            const auto h = transport::reply::ParseHeader(buf + whole);
            if (h.type != transport::kNopType || h.length > transport::reply::kMaxNopLength) {
                return false;
            }
            if (whole + transport::kHeaderSize + h.length > static_cast<std::size_t>(n)) break;
            whole += transport::kHeaderSize + h.length;
        }
        if (whole == 0) return true;  // a partial NOP: leave it
        if (recv(fd, buf, whole, MSG_DONTWAIT) != static_cast<ssize_t>(whole)) return false;
        if (whole < static_cast<std::size_t>(n) || n < static_cast<ssize_t>(sizeof buf)) {
            return true;
        }
    }
}

// A NOP of length 0 (the master and the chunkserver accept any length). A socket whose
// buffer cannot take 8 bytes is not idle: false.
bool SendNop(int fd) {
    const std::uint8_t nop[transport::kHeaderSize] = {};
    while (true) {
        const ssize_t n = send(fd, nop, sizeof nop, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == static_cast<ssize_t>(sizeof nop)) return true;
        if (n < 0 && errno == EINTR) continue;
        return false;  // a partial write would leave the stream out of step: drop it
    }
}

}  // namespace

ConnectionPool::~ConnectionPool() {
    for (auto& [key, list] : idle_) {
        for (auto& idle : list) Close(idle);
    }
}

ConnectionPool::Key ConnectionPool::KeyOf(const std::string& host, std::uint16_t port) {
    return transport::reply::PeerName(host, port);
}

void ConnectionPool::Close(Idle& idle) {
    if (!idle.master && idle.fd >= 0) close(idle.fd);
    idle.master.reset();
    idle.fd = -1;
}

void ConnectionPool::Keep(Key key, Idle idle) {
    auto& list = idle_[key];
    if (list.size() >= limits_.max_idle_per_peer || count_ >= limits_.max_idle) {
        Close(idle);
        ++dropped_;
        if (list.empty()) idle_.erase(key);
        return;
    }
    list.push_back(std::move(idle));
    ++count_;
}

std::optional<transport::Connection> ConnectionPool::TakeMaster(const std::string& host,
                                                                std::uint16_t port) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(KeyOf(host, port));
    if (it != idle_.end()) {
        for (auto i = it->second.begin(); i != it->second.end(); ++i) {
            if (!i->master) continue;
            std::optional<transport::Connection> out = std::move(i->master);
            it->second.erase(i);
            if (it->second.empty()) idle_.erase(it);
            --count_;
            ++reused_;
            return out;
        }
    }
    ++missed_;
    return std::nullopt;
}

void ConnectionPool::GiveBackMaster(const std::string& host, std::uint16_t port,
                                    transport::Connection conn) {
    Idle idle;
    idle.fd = conn.fd();
    idle.master.emplace(std::move(conn));
    idle.since = Clock::now();
    idle.last_nop = idle.since;
    std::lock_guard lock(mutex_);
    Keep(KeyOf(host, port), std::move(idle));
}

int ConnectionPool::TakeChunkserver(const std::string& host, std::uint16_t port) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(KeyOf(host, port));
    if (it != idle_.end()) {
        for (auto i = it->second.begin(); i != it->second.end(); ++i) {
            if (i->master) continue;
            const int fd = i->fd;
            it->second.erase(i);
            if (it->second.empty()) idle_.erase(it);
            --count_;
            ++reused_;
            return fd;
        }
    }
    ++missed_;
    return -1;
}

void ConnectionPool::GiveBackChunkserver(const std::string& host, std::uint16_t port, int fd) {
    if (fd < 0) return;
    Idle idle;
    idle.fd = fd;
    idle.since = Clock::now();
    idle.last_nop = idle.since;
    std::lock_guard lock(mutex_);
    Keep(KeyOf(host, port), std::move(idle));
}

void ConnectionPool::KeepAlive() {
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(mutex_);
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto& list = it->second;
        for (auto i = list.begin(); i != list.end();) {
            const bool nop_due = now - i->last_nop >= limits_.nop_after;
            const bool keep = now - i->since < limits_.idle_limit && DrainNops(i->fd) &&
                              (!nop_due || SendNop(i->fd));
            if (keep && nop_due) i->last_nop = now;
            if (keep) {
                ++i;
                continue;
            }
            Close(*i);
            i = list.erase(i);
            --count_;
            ++dropped_;
        }
        it = list.empty() ? idle_.erase(it) : std::next(it);
    }
}

ConnectionPoolStats ConnectionPool::Stats() const {
    std::lock_guard lock(mutex_);
    return ConnectionPoolStats{count_, reused_, missed_, dropped_};
}

}  // namespace mfsmon::collect
