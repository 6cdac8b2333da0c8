// ConnectionPool: lending and taking back idle connections (per kind, per peer, within the
// limits), and KeepAlive() on the idle ones: what it reads away, what it sends, what it drops.
// The peers are the other ends of socketpairs and loopback TCP pairs, so every byte the pool
// reads or writes can be checked.
#include "collect/connection_pool.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "transport/connection.h"

namespace mfsmon::collect {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

bool IsOpen(int fd) {
    return fcntl(fd, F_GETFD) != -1;
}

bool IsClosed(int fd) {
    errno = 0;
    return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

// Two connected stream sockets; `tcp` makes them a loopback TCP connection (as the pool's
// real connections are) instead of a UNIX socketpair.
struct Pair {
    int ours = -1;    // given to the pool
    int theirs = -1;  // the peer's end, kept by the test

    explicit Pair(bool tcp = false) {
        if (!tcp) {
            int fds[2];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
                throw std::runtime_error("socketpair failed");
            }
            ours = fds[0];
            theirs = fds[1];
            return;
        }
        const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            listen(listener, 1) != 0 ||
            getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            throw std::runtime_error("loopback listener failed");
        }
        ours = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(ours, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            throw std::runtime_error("loopback connect failed");
        }
        theirs = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        close(listener);
        if (theirs < 0) throw std::runtime_error("loopback accept failed");
    }
    ~Pair() {
        if (theirs >= 0) close(theirs);
        // `ours` belongs to whoever it was given to (the pool, or a Connection).
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;

    // Sends, then waits (hang guard: up to 2 s) until all of it is readable at `ours`, so
    // that the pool's next round sees every byte (TCP may take a moment even on loopback).
    // Assumes nothing else is pending at `ours`.
    void PeerSends(const Bytes& bytes) const {
        ASSERT_EQ(send(theirs, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()));
        std::vector<std::uint8_t> peek(bytes.size() + 1);
        for (int i = 0; i < 400; ++i) {
            const ssize_t n = recv(ours, peek.data(), peek.size(), MSG_PEEK | MSG_DONTWAIT);
            if (n >= static_cast<ssize_t>(bytes.size())) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        FAIL() << "the peer's bytes never arrived";
    }
    void PeerCloses() {
        close(theirs);
        theirs = -1;
    }
};

Bytes Frame(std::uint32_t type, const Bytes& payload) {
    Bytes out;
    for (std::uint32_t v : {type, static_cast<std::uint32_t>(payload.size())}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    }
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Bytes Concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Everything readable on `fd` now, without waiting (what is already in the socket: the peers
// here are local, the bytes were sent before). Waits up to 2 s for the first byte only when
// `wait` (a hang guard, not a timing assertion).
Bytes Pending(int fd, bool wait = false) {
    if (wait) {
        pollfd p{fd, POLLIN, 0};
        poll(&p, 1, 2000);
    }
    Bytes out;
    std::uint8_t buf[4096];
    while (true) {
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

// Whether the peer of `fd` sees the connection closed (EOF or reset) within 2 s.
bool SeesClose(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return false;
    std::uint8_t buf[64];
    while (true) {
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
        // Bytes before the close (a NOP the pool sent): keep reading.
        if (poll(&p, 1, 2000) <= 0) return false;
    }
}

const Bytes kNop = Bytes(8, 0);

// ---- lending ---------------------------------------------------------------------------------

TEST(ConnectionPoolTest, EmptyPoolLendsNothingAndCountsTheMiss) {
    ConnectionPool pool;
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), -1);
    EXPECT_FALSE(pool.TakeMaster("mfsmaster", 9421).has_value());
    const auto s = pool.Stats();
    EXPECT_EQ(s.missed, 2u);
    EXPECT_EQ(s.reused, 0u);
    EXPECT_EQ(s.idle, 0u);
    EXPECT_EQ(s.dropped, 0u);
}

TEST(ConnectionPoolTest, ChunkserverSocketGivenBackIsLentAgain) {
    ConnectionPool pool;
    Pair pair;
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), pair.ours);
    EXPECT_TRUE(IsOpen(pair.ours));
    auto s = pool.Stats();
    EXPECT_EQ(s.reused, 1u);
    EXPECT_EQ(s.missed, 0u);
    EXPECT_EQ(s.idle, 0u);
    // Lent means gone from the pool: a second borrower connects anew.
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), -1);
    EXPECT_EQ(pool.Stats().missed, 1u);
    close(pair.ours);
}

TEST(ConnectionPoolTest, NegativeSocketIsNotKept) {
    ConnectionPool pool;
    pool.GiveBackChunkserver("10.0.0.1", 9422, -1);
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), -1);
}

TEST(ConnectionPoolTest, MasterConnectionGivenBackIsLentAgain) {
    ConnectionPool pool;
    Pair pair;
    pool.GiveBackMaster("mfsmaster", 9421,
                        transport::Connection::Adopt(pair.ours, "mfsmaster:9421"));
    EXPECT_EQ(pool.Stats().idle, 1u);
    auto conn = pool.TakeMaster("mfsmaster", 9421);
    ASSERT_TRUE(conn.has_value());
    EXPECT_EQ(conn->fd(), pair.ours);
    EXPECT_EQ(conn->peer(), "mfsmaster:9421");
    EXPECT_EQ(pool.Stats().reused, 1u);
    EXPECT_EQ(pool.Stats().idle, 0u);
}

TEST(ConnectionPoolTest, PeersAreKeptApartByHostPortAndKind) {
    ConnectionPool pool;
    Pair a, b;
    pool.GiveBackChunkserver("10.0.0.1", 9422, a.ours);
    pool.GiveBackMaster("10.0.0.1", 9421, transport::Connection::Adopt(b.ours, "10.0.0.1:9421"));
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9421), -1);        // a master's, not a chunkserver's
    EXPECT_FALSE(pool.TakeMaster("10.0.0.1", 9422).has_value());  // a chunkserver's
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.2", 9422), -1);        // another host
    EXPECT_EQ(pool.Stats().missed, 3u);
    EXPECT_EQ(pool.Stats().idle, 2u);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), a.ours);
    auto m = pool.TakeMaster("10.0.0.1", 9421);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->fd(), b.ours);
    close(a.ours);
}

TEST(ConnectionPoolTest, MasterAndChunkserverOnOnePeerKeyAreBothLent) {
    // Same host:port key, both kinds idle: each Take finds its own kind.
    ConnectionPool pool;
    Pair a, b;
    pool.GiveBackMaster("h", 1, transport::Connection::Adopt(a.ours, "h:1"));
    pool.GiveBackChunkserver("h", 1, b.ours);
    EXPECT_EQ(pool.TakeChunkserver("h", 1), b.ours);
    auto m = pool.TakeMaster("h", 1);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->fd(), a.ours);
    close(b.ours);
}

TEST(ConnectionPoolTest, PerPeerLimitClosesTheExtraSocket) {
    ConnectionPoolLimits limits;
    limits.max_idle_per_peer = 2;
    ConnectionPool pool(limits);
    Pair a, b, c;
    pool.GiveBackChunkserver("10.0.0.1", 9422, a.ours);
    pool.GiveBackChunkserver("10.0.0.1", 9422, b.ours);
    pool.GiveBackChunkserver("10.0.0.1", 9422, c.ours);
    EXPECT_TRUE(IsClosed(c.ours));
    EXPECT_TRUE(SeesClose(c.theirs));
    EXPECT_TRUE(IsOpen(a.ours));
    EXPECT_TRUE(IsOpen(b.ours));
    auto s = pool.Stats();
    EXPECT_EQ(s.idle, 2u);
    EXPECT_EQ(s.dropped, 1u);
    // Another peer still has room.
    Pair d;
    pool.GiveBackChunkserver("10.0.0.2", 9422, d.ours);
    EXPECT_TRUE(IsOpen(d.ours));
    EXPECT_EQ(pool.Stats().idle, 3u);
}

TEST(ConnectionPoolTest, PerPeerLimitCountsMastersToo) {
    ConnectionPoolLimits limits;
    limits.max_idle_per_peer = 1;
    ConnectionPool pool(limits);
    Pair a, b;
    pool.GiveBackMaster("m", 9421, transport::Connection::Adopt(a.ours, "m:9421"));
    pool.GiveBackMaster("m", 9421, transport::Connection::Adopt(b.ours, "m:9421"));
    EXPECT_TRUE(IsClosed(b.ours));
    EXPECT_TRUE(SeesClose(b.theirs));
    EXPECT_TRUE(IsOpen(a.ours));
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
}

TEST(ConnectionPoolTest, TotalLimitClosesTheExtraSocket) {
    ConnectionPoolLimits limits;
    limits.max_idle = 2;
    ConnectionPool pool(limits);
    Pair a, b, c;
    pool.GiveBackChunkserver("10.0.0.1", 9422, a.ours);
    pool.GiveBackMaster("10.0.0.2", 9421, transport::Connection::Adopt(b.ours, "x"));
    pool.GiveBackChunkserver("10.0.0.3", 9422, c.ours);
    EXPECT_TRUE(IsClosed(c.ours));
    EXPECT_TRUE(SeesClose(c.theirs));
    EXPECT_EQ(pool.Stats().idle, 2u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.3", 9422), -1);
    // Taking one makes room again.
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), a.ours);
    Pair d;
    pool.GiveBackChunkserver("10.0.0.3", 9422, d.ours);
    EXPECT_TRUE(IsOpen(d.ours));
    EXPECT_EQ(pool.Stats().idle, 2u);
    close(a.ours);
}

TEST(ConnectionPoolTest, DestructionClosesIdleMasterConnections) {
    Pair pair;
    {
        ConnectionPool pool;
        pool.GiveBackMaster("m", 9421, transport::Connection::Adopt(pair.ours, "m:9421"));
    }
    EXPECT_TRUE(SeesClose(pair.theirs));
}

// "The pool owns what it is given back" (connection_pool.h): a pool that goes away must not
// leak the chunkserver sockets it holds.
TEST(ConnectionPoolTest, DestructionClosesIdleChunkserverSockets) {
    Pair pair;
    {
        ConnectionPool pool;
        pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    }
    EXPECT_TRUE(IsClosed(pair.ours)) << "the idle chunkserver socket leaked";
    EXPECT_TRUE(SeesClose(pair.theirs));
}

// ---- KeepAlive -------------------------------------------------------------------------------

// The same KeepAlive cases on a UNIX socketpair and a loopback TCP connection.
class KeepAliveTest : public ::testing::TestWithParam<bool> {
  protected:
    bool tcp() const { return GetParam(); }
    // A NOP on every round, so that each round's effect can be seen.
    static ConnectionPoolLimits NopEveryRound() {
        ConnectionPoolLimits limits;
        limits.nop_after = std::chrono::milliseconds(0);
        return limits;
    }
};

TEST_P(KeepAliveTest, NoNopOnAConnectionJustGivenBack) {
    ConnectionPool pool;  // the default: a NOP after 1.5 s of silence
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pool.KeepAlive();
    EXPECT_EQ(Pending(pair.theirs), Bytes{});
    EXPECT_EQ(pool.Stats().idle, 1u);
}

TEST_P(KeepAliveTest, WholeNopsAreReadAwayAndANopIsSent) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    // A chunkserver's NOP (length 0) and a master's (length 4).
    pair.PeerSends(Concat(Frame(0, {}), Frame(0, {0, 0, 0, 7})));
    pool.KeepAlive();

    auto s = pool.Stats();
    EXPECT_EQ(s.idle, 1u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(Pending(pair.theirs, true), kNop);
    const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
    ASSERT_EQ(fd, pair.ours);
    EXPECT_EQ(Pending(fd), Bytes{}) << "the NOPs should have been read away";
    close(fd);
}

TEST_P(KeepAliveTest, SilentPeerGetsOneNopPerRound) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pool.KeepAlive();
    pool.KeepAlive();
    pool.KeepAlive();
    Bytes got = Pending(pair.theirs, true);
    // Three rounds, three NOPs (TCP may hand them over in pieces: read until all came).
    for (int i = 0; i < 100 && got.size() < 24; ++i) {
        const Bytes more = Pending(pair.theirs, true);
        got.insert(got.end(), more.begin(), more.end());
    }
    EXPECT_EQ(got, Bytes(24, 0));
    EXPECT_EQ(pool.Stats().idle, 1u);
}

TEST_P(KeepAliveTest, PartialNopIsLeftForTheBorrower) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    const Bytes partial = {0, 0, 0, 0, 0};  // 5 bytes of a NOP header
    pair.PeerSends(partial);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.Stats().dropped, 0u);
    EXPECT_EQ(Pending(pair.theirs, true), kNop);
    const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
    ASSERT_EQ(fd, pair.ours);
    EXPECT_EQ(Pending(fd), partial);
    close(fd);
}

TEST_P(KeepAliveTest, WholeNopThenPartialOneReadsOnlyTheWholeOne) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    // A whole NOP, then a NOP header of length 4 with 2 of its payload bytes.
    const Bytes rest = {0, 0, 0, 0, 0, 0, 0, 4, 9, 9};
    pair.PeerSends(Concat(Frame(0, {}), rest));
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
    ASSERT_EQ(fd, pair.ours);
    EXPECT_EQ(Pending(fd), rest);
    close(fd);
}

TEST_P(KeepAliveTest, MoreNopsThanOneReadBufferAreAllReadAway) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    Bytes flood;
    for (int i = 0; i < 1000; ++i) flood = Concat(flood, Frame(0, {}));  // 8000 bytes
    pair.PeerSends(flood);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.Stats().dropped, 0u);
    const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
    ASSERT_EQ(fd, pair.ours);
    EXPECT_EQ(Pending(fd), Bytes{});
    close(fd);
}

TEST_P(KeepAliveTest, NonNopFrameDropsTheConnection) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pair.PeerSends(Frame(601, {1, 2, 3}));  // an answer nobody asked for: out of step
    pool.KeepAlive();
    auto s = pool.Stats();
    EXPECT_EQ(s.idle, 0u);
    EXPECT_EQ(s.dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
    EXPECT_TRUE(SeesClose(pair.theirs));
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), -1);
}

TEST_P(KeepAliveTest, NonNopAfterAWholeNopDropsTheConnection) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pair.PeerSends(Concat(Frame(0, {}), Frame(1, {})));
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
}

TEST_P(KeepAliveTest, OverlongNopDropsTheConnection) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pair.PeerSends(Frame(0, Bytes(65, 0)));  // a "NOP" over 64 bytes is garbage
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
}

TEST_P(KeepAliveTest, NopOfTheLongestLengthIsKept) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pair.PeerSends(Frame(0, Bytes(64, 0)));
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
    ASSERT_EQ(fd, pair.ours);
    EXPECT_EQ(Pending(fd), Bytes{});
    close(fd);
}

TEST_P(KeepAliveTest, PeerClosedDropsTheConnection) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pair.PeerCloses();
    // TCP: the FIN is on its way over loopback; wait until it is there (hang guard only).
    pollfd p{pair.ours, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), -1);
}

TEST_P(KeepAliveTest, IdlePastTheLimitIsDropped) {
    ConnectionPoolLimits limits;
    limits.idle_limit = 1ms;
    ConnectionPool pool(limits);
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    std::this_thread::sleep_for(5ms);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
    EXPECT_TRUE(SeesClose(pair.theirs));
}

TEST_P(KeepAliveTest, IdleWithinTheLimitIsKept) {
    ConnectionPoolLimits limits;
    limits.idle_limit = std::chrono::hours(1);
    ConnectionPool pool(limits);
    Pair pair(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, pair.ours);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.Stats().dropped, 0u);
    EXPECT_TRUE(IsOpen(pair.ours));
}

TEST_P(KeepAliveTest, MasterConnectionIsKeptAliveLikeAChunkserver) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackMaster("mfsmaster", 9421,
                        transport::Connection::Adopt(pair.ours, "mfsmaster:9421"));
    pair.PeerSends(Frame(0, {0, 0, 0, 1}));  // the master's 4-byte NOP
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(Pending(pair.theirs, true), kNop);
    auto conn = pool.TakeMaster("mfsmaster", 9421);
    ASSERT_TRUE(conn.has_value());
    EXPECT_EQ(Pending(conn->fd()), Bytes{});
}

TEST_P(KeepAliveTest, ClosedMasterConnectionIsDroppedAndClosed) {
    ConnectionPool pool(NopEveryRound());
    Pair pair(tcp());
    pool.GiveBackMaster("mfsmaster", 9421,
                        transport::Connection::Adopt(pair.ours, "mfsmaster:9421"));
    pair.PeerCloses();
    pollfd p{pair.ours, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1);
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(pair.ours));
    EXPECT_FALSE(pool.TakeMaster("mfsmaster", 9421).has_value());
}

TEST_P(KeepAliveTest, OneBadConnectionCostsOnlyItself) {
    ConnectionPool pool(NopEveryRound());
    Pair good1(tcp()), bad(tcp()), good2(tcp());
    pool.GiveBackChunkserver("10.0.0.1", 9422, good1.ours);
    pool.GiveBackChunkserver("10.0.0.1", 9422, bad.ours);
    pool.GiveBackChunkserver("10.0.0.2", 9422, good2.ours);
    bad.PeerSends(Frame(601, {}));
    pool.KeepAlive();
    EXPECT_EQ(pool.Stats().idle, 2u);
    EXPECT_EQ(pool.Stats().dropped, 1u);
    EXPECT_TRUE(IsClosed(bad.ours));
    EXPECT_EQ(Pending(good1.theirs, true), kNop);
    EXPECT_EQ(Pending(good2.theirs, true), kNop);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.1", 9422), good1.ours);
    EXPECT_EQ(pool.TakeChunkserver("10.0.0.2", 9422), good2.ours);
    close(good1.ours);
    close(good2.ours);
}

INSTANTIATE_TEST_SUITE_P(Sockets, KeepAliveTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? std::string("LoopbackTcp")
                                               : std::string("UnixSocketpair");
                         });

// ---- threads ---------------------------------------------------------------------------------

TEST(ConnectionPoolTest, ConcurrentLendingNeverLendsOneSocketTwice) {
    ConnectionPoolLimits limits;
    limits.max_idle_per_peer = 64;
    ConnectionPool pool(limits);
    constexpr int kSockets = 16;
    std::vector<std::unique_ptr<Pair>> pairs;
    for (int i = 0; i < kSockets; ++i) {
        pairs.push_back(std::make_unique<Pair>());
        pool.GiveBackChunkserver("10.0.0.1", 9422, pairs.back()->ours);
    }
    std::vector<std::vector<int>> taken(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&pool, &taken, t] {
            for (int i = 0; i < 1000; ++i) {
                const int fd = pool.TakeChunkserver("10.0.0.1", 9422);
                if (fd >= 0) {
                    taken[static_cast<std::size_t>(t)].push_back(fd);
                    pool.GiveBackChunkserver("10.0.0.1", 9422, fd);
                }
                // Some rounds, not one per turn: nobody reads the peers' ends, and a socket
                // whose buffer is full of our NOPs is (rightly) dropped.
                if (t == 0 && i % 100 == 0) pool.KeepAlive();
                (void)pool.Stats();
            }
        });
    }
    for (auto& th : threads) th.join();
    const auto s = pool.Stats();
    EXPECT_EQ(s.idle, static_cast<std::size_t>(kSockets));
    EXPECT_EQ(s.dropped, 0u);
    std::size_t lent = 0;
    for (const auto& v : taken) lent += v.size();
    EXPECT_EQ(s.reused, lent);
    // Every socket is still there exactly once.
    std::vector<int> back;
    for (int fd; (fd = pool.TakeChunkserver("10.0.0.1", 9422)) >= 0;) back.push_back(fd);
    std::sort(back.begin(), back.end());
    EXPECT_EQ(std::adjacent_find(back.begin(), back.end()), back.end());
    EXPECT_EQ(back.size(), static_cast<std::size_t>(kSockets));
    for (int fd : back) close(fd);
}

}  // namespace
}  // namespace mfsmon::collect
