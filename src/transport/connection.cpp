#include "transport/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace mfsmon::transport {

namespace {

std::string SecondsText(const Deadline& deadline) {
    return fmt::format("{:g} s", static_cast<double>(deadline.Budget().count()) / 1000.0);
}

struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const {
        if (ai != nullptr) freeaddrinfo(ai);
    }
};
using AddrInfoPtr = std::unique_ptr<addrinfo, AddrInfoDeleter>;

// Numeric addresses resolve at once without a thread; names go through getaddrinfo_a so
// that a hanging DNS server cannot hold the check past its deadline.
Result<AddrInfoPtr> Resolve(const std::string& host, std::uint16_t port, const Deadline& deadline) {
    const std::string service = std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) == 0) return AddrInfoPtr(found);

    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    gaicb request{};
    request.ar_name = host.c_str();
    request.ar_service = service.c_str();
    request.ar_request = &hints;
    gaicb* list[1] = {&request};
    if (int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0) {
        return MakeError(ErrorKind::kResolve,
                         fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    }
    while (true) {
        int ms = deadline.RemainingMs();
        timespec wait{ms / 1000, static_cast<long>(ms % 1000) * 1000000L};
        const gaicb* waiting[1] = {&request};
        int rc = gai_suspend(waiting, 1, &wait);
        int status = gai_error(&request);
        if (status == 0) return AddrInfoPtr(request.ar_result);
        if (status != EAI_INPROGRESS) {
            return MakeError(ErrorKind::kResolve,
                             fmt::format("cannot resolve {}: {}", host, gai_strerror(status)));
        }
        if (deadline.Expired() || rc == EAI_AGAIN) {
            gai_cancel(&request);
            // A request that cannot be cancelled keeps running in glibc's thread; the
            // process exits soon after an UNKNOWN anyway.
            return MakeError(ErrorKind::kTimeout,
                             fmt::format("timeout: resolving {} took longer than {}", host,
                                         SecondsText(deadline)));
        }
    }
}

std::string ErrnoText(int err) {
    return std::strerror(err);
}

}  // namespace

Result<Connection> Connection::Open(const std::string& host, std::uint16_t port,
                                    const Deadline& deadline) {
    auto resolved = Resolve(host, port, deadline);
    if (!resolved) return resolved.error();
    const std::string peer = host.find(':') != std::string::npos
                                 ? fmt::format("[{}]:{}", host, port)
                                 : fmt::format("{}:{}", host, port);

    std::string last_error = "no address";
    for (addrinfo* ai = resolved->get(); ai != nullptr; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_error = ErrnoText(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int ready = poll(&p, 1, deadline.RemainingMs());
            if (ready == 0) {
                close(fd);
                return MakeError(ErrorKind::kTimeout,
                                 fmt::format("timeout: connect to {} did not complete within {}",
                                             peer, SecondsText(deadline)));
            }
            int err = 0;
            socklen_t len = sizeof err;
            if (ready < 0) {
                err = errno;
            } else {
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            }
            rc = err == 0 ? 0 : -1;
            errno = err;
        }
        if (rc == 0) return Connection(fd, peer);
        last_error = ErrnoText(errno);
        close(fd);
        if (deadline.Expired()) break;
    }
    return MakeError(ErrorKind::kConnect,
                     fmt::format("cannot connect to {}: {}", peer, last_error));
}

Connection::Connection(Connection&& other) noexcept
    : fd_(other.fd_), peer_(std::move(other.peer_)) {
    other.fd_ = -1;
}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = other.fd_;
        peer_ = std::move(other.peer_);
        other.fd_ = -1;
    }
    return *this;
}

Connection::~Connection() {
    if (fd_ >= 0) close(fd_);
}

Status Connection::Send(const std::vector<std::uint8_t>& bytes, const Deadline& deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            if (poll(&p, 1, deadline.RemainingMs()) == 0) {
                return MakeError(ErrorKind::kTimeout,
                                 fmt::format("timeout: could not send the request to {} within {}",
                                             peer_, SecondsText(deadline)));
            }
            continue;
        }
        return MakeError(ErrorKind::kIo,
                         fmt::format("send to {} failed: {}", peer_, ErrnoText(errno)));
    }
    return OkStatus();
}

Status Connection::ReadExact(std::uint8_t* out, std::size_t size, std::size_t& got,
                             const Deadline& deadline) {
    got = 0;
    while (got < size) {
        // Checked before every read, not only when the socket runs dry: a peer that always
        // has bytes ready (a flood of NOPs, a port streaming zeros) must not hold us past
        // the deadline either.
        if (deadline.Expired()) return MakeError(ErrorKind::kTimeout, "timeout");
        ssize_t n = recv(fd_, out + got, size - got, 0);
        if (n > 0) {
            got += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0) return MakeError(ErrorKind::kClosed, "closed");
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return MakeError(ErrorKind::kIo, ErrnoText(errno));
        }
        if (deadline.Expired()) return MakeError(ErrorKind::kTimeout, "timeout");
        pollfd p{fd_, POLLIN, 0};
        int ready = poll(&p, 1, deadline.RemainingMs());
        if (ready < 0 && errno != EINTR) return MakeError(ErrorKind::kIo, ErrnoText(errno));
        if (ready == 0 && deadline.Expired()) return MakeError(ErrorKind::kTimeout, "timeout");
    }
    return OkStatus();
}

namespace {
std::uint32_t GetU32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
}  // namespace

Result<Frame> Connection::ReadReply(std::uint32_t expected_type, std::uint32_t max_length,
                                    std::string_view request_name, const Deadline& deadline) {
    if (max_length > kMaxPayloadLength) max_length = kMaxPayloadLength;
    std::size_t nops = 0;
    while (true) {
        std::uint8_t header[kHeaderSize];
        std::size_t got = 0;
        if (auto st = ReadExact(header, sizeof header, got, deadline); !st) {
            switch (st.error().kind) {
                case ErrorKind::kClosed:
                    if (got == 0) {
                        return MakeError(
                            ErrorKind::kClosed,
                            fmt::format("{} closed the connection instead of answering {} (it "
                                        "closes on requests it rejects)",
                                        peer_, request_name));
                    }
                    return MakeError(ErrorKind::kClosed,
                                     fmt::format("{} closed the connection in the middle of the "
                                                 "header of the answer to {} ({} of 8 bytes)",
                                                 peer_, request_name, got));
                case ErrorKind::kTimeout:
                    return MakeError(ErrorKind::kTimeout,
                                     fmt::format("timeout: no answer to {} from {} within {}{}",
                                                 request_name, peer_, SecondsText(deadline),
                                                 nops > 0 ? fmt::format(" ({} keep-alive packets "
                                                                        "skipped)",
                                                                        nops)
                                                          : std::string()));
                default:
                    return MakeError(st.error().kind,
                                     fmt::format("reading the answer to {} from {} failed: {}",
                                                 request_name, peer_, st.error().message));
            }
        }
        const std::uint32_t type = GetU32(header);
        const std::uint32_t length = GetU32(header + 4);

        if (type == kUnknownCommandType || type == kBadCommandSizeType) {
            return MakeError(ErrorKind::kErrorPacket,
                             fmt::format("{} answered {} with {}", peer_, request_name,
                                         type == kUnknownCommandType ? "ANTOAN_UNKNOWN_COMMAND"
                                                                     : "ANTOAN_BAD_COMMAND_SIZE"));
        }
        // NOPs are tiny; a "NOP" claiming a large payload is garbage, not a keep-alive.
        const std::uint32_t cap = type == kNopType ? 64 : max_length;
        if (type != kNopType && type != expected_type) {
            return MakeError(ErrorKind::kProtocol,
                             fmt::format("unexpected packet type {} (length {}) from {} in answer "
                                         "to {} (expected type {})",
                                         type, length, peer_, request_name, expected_type));
        }
        if (type == kNopType && length > cap) {
            return MakeError(ErrorKind::kProtocol,
                             fmt::format("keep-alive (NOP) packet from {} while waiting for the "
                                         "answer to {} claims {} bytes (at most {})",
                                         peer_, request_name, length, cap));
        }
        if (length > cap) {
            return MakeError(ErrorKind::kProtocol,
                             fmt::format("answer to {} from {} claims {} bytes, more than the {} "
                                         "this answer can have",
                                         request_name, peer_, length, cap));
        }
        Frame frame;
        frame.type = type;
        frame.payload.resize(length);
        if (auto st = ReadExact(frame.payload.data(), length, got, deadline); !st) {
            if (st.error().kind == ErrorKind::kTimeout) {
                return MakeError(
                    ErrorKind::kTimeout,
                    fmt::format("timeout: the answer to {} from {} was incomplete "
                                "after {} ({} of {} bytes)",
                                request_name, peer_, SecondsText(deadline), got, length));
            }
            if (st.error().kind == ErrorKind::kClosed) {
                return MakeError(ErrorKind::kClosed,
                                 fmt::format("{} closed the connection in the middle of the answer "
                                             "to {} ({} of {} bytes)",
                                             peer_, request_name, got, length));
            }
            return MakeError(st.error().kind,
                             fmt::format("reading the answer to {} from {} failed: {}",
                                         request_name, peer_, st.error().message));
        }
        if (type == kNopType) {
            ++nops;
            continue;
        }
        return frame;
    }
}

}  // namespace mfsmon::transport
