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
#include <memory>

#include <fmt/format.h>

#include "transport/reply_reading.h"

namespace mfsmon::transport {

namespace {

using reply::ErrnoText;

std::string SecondsText(const Deadline& deadline) {
    return reply::SecondsText(deadline.Budget());
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

    // The request lives on the heap: a lookup that cannot be cancelled keeps running in
    // glibc's thread and writes into it later. A check exits soon after; the exporter lives
    // on, so such a request is left allocated (one per lookup that outlived its deadline)
    // rather than freed under glibc's feet.
    struct Lookup {
        std::string name;
        std::string service;
        addrinfo hints{};
        gaicb request{};
    };
    auto lookup = std::make_unique<Lookup>();
    lookup->name = host;
    lookup->service = service;
    lookup->hints.ai_family = AF_UNSPEC;
    lookup->hints.ai_socktype = SOCK_STREAM;
    lookup->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    lookup->request.ar_name = lookup->name.c_str();
    lookup->request.ar_service = lookup->service.c_str();
    lookup->request.ar_request = &lookup->hints;
    gaicb* list[1] = {&lookup->request};
    if (int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0) {
        return MakeError(ErrorKind::kResolve,
                         fmt::format("cannot resolve {}: {}", host, gai_strerror(rc)));
    }
    while (true) {
        int ms = deadline.RemainingMs();
        timespec wait{ms / 1000, static_cast<long>(ms % 1000) * 1000000L};
        const gaicb* waiting[1] = {&lookup->request};
        int rc = gai_suspend(waiting, 1, &wait);
        int status = gai_error(&lookup->request);
        if (status == 0) return AddrInfoPtr(lookup->request.ar_result);
        if (status != EAI_INPROGRESS) {
            return MakeError(ErrorKind::kResolve,
                             fmt::format("cannot resolve {}: {}", host, gai_strerror(status)));
        }
        if (deadline.Expired() || rc == EAI_AGAIN) {
            const int cancel = gai_cancel(&lookup->request);
            if (cancel == EAI_ALLDONE && gai_error(&lookup->request) == 0) {
                freeaddrinfo(lookup->request.ar_result);  // it ended just now: too late
            } else if (cancel == EAI_NOTCANCELED) {
                (void)lookup.release();  // still running: see above
            }
            return MakeError(ErrorKind::kTimeout,
                             fmt::format("timeout: resolving {} took longer than {}", host,
                                         SecondsText(deadline)));
        }
    }
}

}  // namespace

Result<Connection> Connection::Open(const std::string& host, std::uint16_t port,
                                    const Deadline& deadline) {
    auto resolved = Resolve(host, port, deadline);
    if (!resolved) return resolved.error();
    const std::string peer = reply::PeerName(host, port);

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
                return reply::ConnectTimeout(peer, SecondsText(deadline));
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
                return reply::SendTimeout(peer_, SecondsText(deadline));
            }
            continue;
        }
        return reply::SendFailed(peer_, errno);
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

Result<Frame> Connection::ReadReply(std::uint32_t expected_type, std::uint32_t max_length,
                                    std::string_view request_name, const Deadline& deadline) {
    std::size_t nops = 0;
    while (true) {
        std::uint8_t header[kHeaderSize];
        std::size_t got = 0;
        if (auto st = ReadExact(header, sizeof header, got, deadline); !st) {
            switch (st.error().kind) {
                case ErrorKind::kClosed:
                    return reply::ClosedInHeader(peer_, request_name, got);
                case ErrorKind::kTimeout:
                    return reply::NoAnswerTimeout(peer_, request_name, SecondsText(deadline), nops);
                default:
                    return reply::ReadFailed(st.error().kind, peer_, request_name,
                                             st.error().message);
            }
        }
        const reply::Header h = reply::ParseHeader(header);
        if (auto st = reply::CheckHeader(h, expected_type, max_length, peer_, request_name); !st) {
            return st.error();
        }
        Frame frame;
        frame.type = h.type;
        frame.payload.resize(h.length);
        if (auto st = ReadExact(frame.payload.data(), h.length, got, deadline); !st) {
            if (st.error().kind == ErrorKind::kTimeout) {
                return reply::IncompleteTimeout(peer_, request_name, SecondsText(deadline), got,
                                                h.length);
            }
            if (st.error().kind == ErrorKind::kClosed) {
                return reply::ClosedInPayload(peer_, request_name, got, h.length);
            }
            return reply::ReadFailed(st.error().kind, peer_, request_name, st.error().message);
        }
        if (h.type == kNopType) {
            ++nops;
            continue;
        }
        return frame;
    }
}

}  // namespace mfsmon::transport
