#include "transport/multi_exchange.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "common/printable.h"
#include "transport/reply_reading.h"

namespace mfsmon::transport {

namespace {

using Clock = Deadline::Clock;

std::function<void()>& PollHook() {
    static std::function<void()> hook;
    return hook;
}

// One recv() per ready socket per turn of the loop, into a buffer this big. One read per turn
// keeps the loop fair: a peer that always has bytes ready (a flood of NOPs, a port streaming
// garbage) cannot starve the others, and deadlines are checked between turns.
constexpr std::size_t kReadChunk = 64 * 1024;

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

// Numeric only (AI_NUMERICHOST never touches DNS): the addresses come from the master's
// list, and a name lookup could block the whole loop.
std::optional<Address> NumericAddress(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0) return std::nullopt;
    std::optional<Address> out;
    if (found != nullptr && found->ai_addrlen <= sizeof(sockaddr_storage)) {
        out.emplace();
        std::memcpy(&out->storage, found->ai_addr, found->ai_addrlen);
        out->length = found->ai_addrlen;
    }
    freeaddrinfo(found);
    return out;
}

// Closes on destruction, so no path out of ExchangeAll (an exception included) leaks one.
class OwnedFd {
  public:
    OwnedFd() = default;
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd() { Reset(); }
    void Reset(int fd = -1) {
        if (fd_ >= 0) close(fd_);
        fd_ = fd;
    }
    int get() const { return fd_; }
    int Release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

enum class Stage { kFree, kConnecting, kSending, kHeader, kPayload };

// One open connection. Slots are allocated once and reused, so at most `max_open` exist.
struct Slot {
    Stage stage = Stage::kFree;
    std::size_t target = 0;
    OwnedFd fd;
    Clock::time_point end;
    std::string budget_text;  // "2 s", for timeout messages
    std::size_t sent = 0;
    std::uint8_t header[kHeaderSize] = {};
    std::size_t header_got = 0;
    std::uint32_t length = 0;  // of the frame being read
    Frame frame;
    std::size_t nops = 0;
    bool reused = false;  // asked on a kept socket, not a fresh connection
};

Error ConnectFailed(std::string_view peer, int err) {
    if (err == ECONNREFUSED) {
        return MakeError(ErrorKind::kConnect, fmt::format("{} refused the connection", peer));
    }
    return MakeError(ErrorKind::kConnect,
                     fmt::format("cannot connect to {}: {}", peer, reply::ErrnoText(err)));
}

class Exchange {
  public:
    Exchange(std::span<const ExchangeTarget> targets, const ExchangeRequest& request,
             const ExchangeLimits& limits, const Deadline& run, std::vector<int>* kept)
        : kept_(kept),
          reuse_(targets.size()),
          request_(request),
          limits_(limits),
          run_(run),
          wire_request_(EncodeFrame(request.request_type, request.request_payload)),
          results_(targets.size()),
          slots_(std::min(std::max<std::size_t>(limits.max_open, 1), targets.size())),
          buffer_(kReadChunk) {
        peers_.reserve(targets.size());
        addresses_.reserve(targets.size());
        if (kept_ != nullptr) kept_->assign(targets.size(), -1);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const ExchangeTarget& t = targets[i];
            reuse_[i].Reset(t.reuse_fd);
            // Echoed text must stay on one line, whatever the master's list holds.
            peers_.push_back(reply::PeerName(ControlCharsReplaced(t.host), t.port));
            addresses_.push_back(NumericAddress(t.host, t.port));
            if (!addresses_.back()) {
                results_[i] = MakeError(
                    ErrorKind::kInvalidArgument,
                    fmt::format("cannot ask {}: \"{}\" is not a numeric IPv4/IPv6 address (names "
                                "are not resolved here)",
                                peers_[i], ControlCharsReplaced(t.host)));
            }
        }
    }

    std::vector<Result<Frame>> Run() {
        std::size_t next = 0;  // the first target not started yet
        std::vector<pollfd> fds;
        std::vector<Slot*> polled;
        fds.reserve(slots_.size());
        polled.reserve(slots_.size());
        while (true) {
            Clock::time_point now = Clock::now();
            ExpireDue(now);
            if (now >= run_.End()) {
                // Every open slot ended above (its deadline is never past the run's).
                FailUnstarted(next);
                break;
            }
            bool out_of_descriptors = false;
            for (Slot& slot : slots_) {
                while (slot.stage == Stage::kFree && !out_of_descriptors) {
                    while (next < results_.size() && results_[next]) ++next;
                    if (next >= results_.size()) break;
                    if (Start(slot, next)) {
                        ++next;
                    } else {
                        out_of_descriptors = true;
                    }
                }
            }
            if (open_ == 0) break;  // slots are all free only when no target is left

            fds.clear();
            polled.clear();
            Clock::time_point earliest = run_.End();
            for (Slot& slot : slots_) {
                if (slot.stage == Stage::kFree) continue;
                const bool writing =
                    slot.stage == Stage::kConnecting || slot.stage == Stage::kSending;
                fds.push_back(
                    pollfd{slot.fd.get(), static_cast<short>(writing ? POLLOUT : POLLIN), 0});
                polled.push_back(&slot);
                earliest = std::min(earliest, slot.end);
            }
            if (PollHook()) PollHook()();
            const int ready = poll(fds.data(), fds.size(), MillisecondsUntil(earliest));
            if (ready < 0) {
                if (errno == EINTR) continue;
                FailAll(next, errno);
                break;
            }
            for (std::size_t i = 0; i < fds.size(); ++i) {
                if (fds[i].revents != 0) Advance(*polled[i]);
            }
        }

        std::vector<Result<Frame>> out;
        out.reserve(results_.size());
        for (std::size_t i = 0; i < results_.size(); ++i) {
            // Every path above decides every target; this guards the invariant, not a case.
            out.push_back(
                results_[i] ? std::move(*results_[i])
                            : Result<Frame>(MakeError(
                                  ErrorKind::kIo,
                                  fmt::format("internal error: {} was never decided", peers_[i]))));
        }
        return out;
    }

  private:
    // Rounded up, so that poll() never spins at 0 while time remains.
    static int MillisecondsUntil(Clock::time_point end) {
        const auto left =
            std::chrono::duration_cast<std::chrono::microseconds>(end - Clock::now()).count();
        if (left <= 0) return 0;
        return static_cast<int>(std::min<long long>((left + 999) / 1000, INT_MAX));
    }

    // False when the process is out of descriptors while some of ours are open: the target
    // then waits until one of them closes (its clock has not started).
    bool Start(Slot& slot, std::size_t index) {
        const Address& address = *addresses_[index];
        const Clock::time_point now = Clock::now();
        slot.target = index;
        slot.sent = 0;
        slot.header_got = 0;
        slot.length = 0;
        slot.frame = Frame{};
        slot.nops = 0;
        // The target's own clock starts now, not when the run did: a target that waited for a
        // slot still gets its full per_target, unless the run ends first.
        const Clock::time_point own_end = now + limits_.per_target;
        slot.end = std::min(own_end, run_.End());
        slot.budget_text = own_end <= run_.End() ? reply::SecondsText(limits_.per_target)
                                                 : reply::SecondsText(run_.Budget());
        slot.reused = false;
        if (reuse_[index].get() >= 0) {
            slot.fd.Reset(reuse_[index].Release());
            slot.reused = true;
            slot.stage = Stage::kSending;
            ++open_;
            return true;
        }

        const int fd =
            socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            const int err = errno;
            if ((err == EMFILE || err == ENFILE) && open_ > 0) return false;
            results_[index] =
                MakeError(ErrorKind::kIo, fmt::format("cannot open a socket to ask {}: {}",
                                                      peers_[index], reply::ErrnoText(err)));
            return true;
        }
        // The request goes out at once, not after the ACK of whatever was sent before (a
        // kept socket's keep-alive NOP): Nagle's algorithm would hold it for the peer's
        // delayed ACK, ~40 ms.
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        slot.fd.Reset(fd);
        slot.stage = Stage::kConnecting;
        ++open_;
        if (connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) == 0) {
            slot.stage = Stage::kSending;  // loopback may connect at once
        } else if (errno != EINPROGRESS) {
            Finish(slot, ConnectFailed(peers_[index], errno));
        }
        return true;
    }

    // A kept socket that failed before any byte of an answer came (NOPs aside: the server
    // sends them while the socket idles) was closed by the server meanwhile: ask again on a
    // fresh connection (its own clock goes on). True when that was done.
    bool RetryFresh(Slot& slot) {
        if (!slot.reused || slot.header_got != 0) return false;
        const std::size_t target = slot.target;
        const Clock::time_point end = slot.end;
        const std::string budget_text = slot.budget_text;
        slot.fd.Reset();
        slot.stage = Stage::kFree;
        --open_;
        if (!Start(slot, target)) {
            results_[target] = MakeError(
                ErrorKind::kIo,
                fmt::format("cannot open a socket to ask {}: out of descriptors", peers_[target]));
            return true;
        }
        slot.end = std::min(slot.end, end);  // the retry does not extend the target's time
        if (slot.stage != Stage::kFree) slot.budget_text = budget_text;
        return true;
    }

    // The answer is complete and nothing came after it: the socket is in step.
    void FinishKeeping(Slot& slot, Frame frame) {
        if (kept_ != nullptr) (*kept_)[slot.target] = slot.fd.Release();
        Finish(slot, std::move(frame));
    }

    void Finish(Slot& slot, Result<Frame> result) {
        results_[slot.target] = std::move(result);
        slot.fd.Reset();
        slot.frame = Frame{};
        slot.stage = Stage::kFree;
        --open_;
    }

    void ExpireDue(Clock::time_point now) {
        for (Slot& slot : slots_) {
            if (slot.stage == Stage::kFree || now < slot.end) continue;
            const std::string& peer = peers_[slot.target];
            switch (slot.stage) {
                case Stage::kConnecting:
                    Finish(slot, reply::ConnectTimeout(peer, slot.budget_text));
                    break;
                case Stage::kSending:
                    Finish(slot, reply::SendTimeout(peer, slot.budget_text));
                    break;
                case Stage::kHeader:
                    Finish(slot, reply::NoAnswerTimeout(peer, request_.request_name,
                                                        slot.budget_text, slot.nops));
                    break;
                case Stage::kPayload:
                    Finish(slot,
                           reply::IncompleteTimeout(peer, request_.request_name, slot.budget_text,
                                                    slot.frame.payload.size(), slot.length));
                    break;
                case Stage::kFree:
                    break;
            }
        }
    }

    void FailUnstarted(std::size_t next) {
        for (std::size_t i = next; i < results_.size(); ++i) {
            if (results_[i]) continue;
            results_[i] = MakeError(
                ErrorKind::kTimeout,
                fmt::format("timeout: {} was never sent to {}: the run's deadline of {} passed "
                            "while it waited for one of the {} connection slots",
                            request_.request_name, peers_[i], reply::SecondsText(run_.Budget()),
                            slots_.size()));
        }
    }

    // poll() itself failed (it does not for valid arguments): nothing can be waited for.
    void FailAll(std::size_t next, int err) {
        auto failed = [&](std::size_t i) {
            return MakeError(ErrorKind::kIo,
                             fmt::format("asking {} for {} failed: poll: {}", peers_[i],
                                         request_.request_name, reply::ErrnoText(err)));
        };
        for (Slot& slot : slots_) {
            if (slot.stage != Stage::kFree) Finish(slot, failed(slot.target));
        }
        for (std::size_t i = next; i < results_.size(); ++i) {
            if (!results_[i]) results_[i] = failed(i);
        }
    }

    // The socket was reported ready (or in error); the socket itself says what happened:
    // SO_ERROR, send() or recv().
    void Advance(Slot& slot) {
        const std::string& peer = peers_[slot.target];
        if (slot.stage == Stage::kConnecting) {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(slot.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
            if (err != 0) return Finish(slot, ConnectFailed(peer, err));
            slot.stage = Stage::kSending;  // and send at once: the socket is writable
        }
        if (slot.stage == Stage::kSending) return Send(slot);

        const ssize_t n = recv(slot.fd.get(), buffer_.data(), buffer_.size(), 0);
        if (n > 0) return Feed(slot, buffer_.data(), static_cast<std::size_t>(n));
        if (n == 0) {
            if (slot.stage == Stage::kHeader && RetryFresh(slot)) return;
            return Finish(slot,
                          slot.stage == Stage::kHeader
                              ? reply::ClosedInHeader(peer, request_.request_name, slot.header_got)
                              : reply::ClosedInPayload(peer, request_.request_name,
                                                       slot.frame.payload.size(), slot.length));
        }
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return;
        if (slot.stage == Stage::kHeader && RetryFresh(slot)) return;
        Finish(slot, reply::ReadFailed(ErrorKind::kIo, peer, request_.request_name,
                                       reply::ErrnoText(err)));
    }

    void Send(Slot& slot) {
        while (slot.sent < wire_request_.size()) {
            const ssize_t n = send(slot.fd.get(), wire_request_.data() + slot.sent,
                                   wire_request_.size() - slot.sent, MSG_NOSIGNAL);
            if (n > 0) {
                slot.sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            // Full socket buffer (or a 0 that send() does not give for a non-empty write):
            // wait for POLLOUT, bounded by the target's deadline.
            if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) return;
            const int err = errno;
            if (RetryFresh(slot)) return;
            return Finish(slot, reply::SendFailed(peers_[slot.target], err));
        }
        slot.stage = Stage::kHeader;
        slot.header_got = 0;
    }

    // Consumes what recv() gave: headers are judged before any payload byte is kept, NOPs
    // are skipped, and the first answer frame ends the target (bytes after it are ignored).
    void Feed(Slot& slot, const std::uint8_t* data, std::size_t size) {
        std::size_t off = 0;
        while (off < size) {
            if (slot.stage == Stage::kHeader) {
                const std::size_t take = std::min(kHeaderSize - slot.header_got, size - off);
                std::memcpy(slot.header + slot.header_got, data + off, take);
                slot.header_got += take;
                off += take;
                if (slot.header_got < kHeaderSize) return;
                const reply::Header h = reply::ParseHeader(slot.header);
                if (auto st =
                        reply::CheckHeader(h, request_.answer_type, request_.max_answer_length,
                                           peers_[slot.target], request_.request_name);
                    !st) {
                    return Finish(slot, st.error());
                }
                slot.frame.type = h.type;
                slot.frame.payload.clear();
                // Grown as bytes arrive, not sized from the header: 64 peers that each claim
                // the maximum and then stall must not hold 64 times that in memory.
                slot.frame.payload.reserve(std::min<std::size_t>(h.length, kReadChunk));
                slot.length = h.length;
                slot.header_got = 0;
                slot.stage = Stage::kPayload;
            }
            // Not `else`: a frame of length 0 is complete without another byte.
            const std::size_t take =
                std::min<std::size_t>(slot.length - slot.frame.payload.size(), size - off);
            slot.frame.payload.insert(slot.frame.payload.end(), data + off, data + off + take);
            off += take;
            if (slot.frame.payload.size() < slot.length) return;
            if (slot.frame.type == kNopType) {
                ++slot.nops;
                slot.stage = Stage::kHeader;
                continue;
            }
            if (off == size) return FinishKeeping(slot, std::move(slot.frame));
            return Finish(slot, std::move(slot.frame));
        }
    }

    std::vector<int>* kept_;
    std::vector<OwnedFd> reuse_;  // kept sockets not started yet (closed if never used)
    const ExchangeRequest& request_;
    const ExchangeLimits& limits_;
    const Deadline& run_;
    const std::vector<std::uint8_t> wire_request_;
    std::vector<std::string> peers_;  // "host:port" per target
    std::vector<std::optional<Address>> addresses_;
    std::vector<std::optional<Result<Frame>>> results_;
    std::vector<Slot> slots_;
    std::size_t open_ = 0;  // slots not free
    std::vector<std::uint8_t> buffer_;
};

}  // namespace

std::vector<Result<Frame>> ExchangeAll(std::span<const ExchangeTarget> targets,
                                       const ExchangeRequest& request, const ExchangeLimits& limits,
                                       const Deadline& run, std::vector<int>* kept) {
    if (targets.empty()) {
        if (kept != nullptr) kept->clear();
        return {};
    }
    return Exchange(targets, request, limits, run, kept).Run();
}

void SetExchangePollHookForTesting(std::function<void()> hook) {
    PollHook() = std::move(hook);
}

}  // namespace mfsmon::transport
