// ExchangeAll keeping and reusing sockets (ExchangeTarget::reuse_fd and the `kept` out
// parameter): a socket whose answer was read completely, with no byte after it, is kept and
// asked on again; a kept socket the server closed while it idled is replaced by one fresh
// connection; every socket that is not handed back is closed.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_chunkserver.h"
#include "transport/multi_exchange.h"

namespace mfsmon::transport::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::uint32_t kRequestType = 700;  // the test's own request/answer pair
constexpr std::uint32_t kAnswerType = 701;
const Bytes kPayload = {1, 2, 3};
const Bytes kAnswer = {'a', 'n', 's', 'w', 'e', 'r'};
constexpr auto kPerTarget = 2s;  // loopback needs far less: a hang guard
constexpr auto kRun = 5s;

ExchangeRequest Ask() {
    return ExchangeRequest{kRequestType, kPayload, kAnswerType, 4096, "TEST_REQUEST"};
}

ExchangeLimits Limits() {
    return ExchangeLimits{std::chrono::duration_cast<std::chrono::milliseconds>(kPerTarget), 64};
}

std::vector<Result<Frame>> Exchange(std::vector<ExchangeTarget> targets, std::vector<int>* kept) {
    return ExchangeAll(targets, Ask(), Limits(), Deadline::After(kRun), kept);
}

bool IsOpen(int fd) {
    return fd >= 0 && fcntl(fd, F_GETFD) != -1;
}

bool IsClosed(int fd) {
    errno = 0;
    return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

// Waits (hang guard, 2 s) for `events` on `fd`; true when they came.
bool WaitFor(int fd, short events) {
    pollfd p{fd, events, 0};
    return poll(&p, 1, 2000) == 1;
}

// Whether `fd`'s peer closed within 2 s (EOF or reset; bytes before it are read away).
bool SeesClose(int fd) {
    std::uint8_t buf[256];
    for (int i = 0; i < 100; ++i) {
        if (!WaitFor(fd, POLLIN)) return false;
        const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return true;
    }
    return false;
}

// Polls `done` up to 2 s (hang guard).
bool Eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 400; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

// ---- a fake chunkserver that answers every request on a connection --------------------------

// What the server does on request `request` (from 1) of connection `connection` (from 1);
// false ends the connection (the fake then closes it).
using Step = std::function<bool(FakeConnection&, int connection, int request)>;

struct Tally {
    std::atomic<int> accepts{0};
    std::atomic<int> requests{0};
    std::atomic<int> closes{0};  // connections the server saw end
    std::atomic<int> go{0};      // raised by the test to release a waiting script, step by step
};

bool AnswerStep(FakeConnection& c, int, int) {
    return c.Write(Packet(kAnswerType, kAnswer));
}

class Server {
  public:
    explicit Server(Step step = AnswerStep)
        : tally_(std::make_shared<Tally>()),
          fake_(std::make_unique<FakeChunkserver>([t = tally_, step](FakeConnection& c) {
              const int connection = ++t->accepts;
              int request = 0;
              while (auto req = c.ReadRequest()) {
                  if (req->type != kRequestType || req->payload != kPayload) {
                      c.Write(Packet(1, {}));  // a mangled request fails the test visibly
                      break;
                  }
                  ++t->requests;
                  if (!step(c, connection, ++request)) break;
              }
              ++t->closes;
          })) {}

    ExchangeTarget target(int reuse_fd = -1) const {
        ExchangeTarget t = fake_->target();
        t.reuse_fd = reuse_fd;
        return t;
    }
    Tally& tally() { return *tally_; }
    std::shared_ptr<Tally> shared_tally() { return tally_; }
    void Stop() { fake_.reset(); }

  private:
    std::shared_ptr<Tally> tally_;
    std::unique_ptr<FakeChunkserver> fake_;
};

void ExpectAnswer(const Result<Frame>& got) {
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got->type, kAnswerType);
    EXPECT_EQ(got->payload, kAnswer);
}

// ---- keeping ---------------------------------------------------------------------------------

TEST(MultiExchangeReuseTest, WithoutKeptEverySocketIsClosed) {
    Server server;
    auto got = Exchange({server.target()}, nullptr);
    ASSERT_EQ(got.size(), 1u);
    ExpectAnswer(got[0]);
    EXPECT_TRUE(Eventually([&] { return server.tally().closes == 1; }))
        << "the answered socket was left open";
}

TEST(MultiExchangeReuseTest, KeptHoldsTheSocketOfEachGoodAnswerAndMinusOneForErrors) {
    Server good;
    Server error_packet([](FakeConnection& c, int, int) { return c.Write(Packet(1, {})); });
    RefusingPort refusing;
    std::vector<int> kept;
    auto got = Exchange({good.target(), refusing.target(), error_packet.target()}, &kept);
    ASSERT_EQ(got.size(), 3u);
    ExpectAnswer(got[0]);
    EXPECT_FALSE(got[1].ok());
    EXPECT_FALSE(got[2].ok());
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_TRUE(IsOpen(kept[0]));
    EXPECT_EQ(kept[1], -1);
    EXPECT_EQ(kept[2], -1);
    // The good server's connection stays open; the erroring one was closed.
    EXPECT_TRUE(Eventually([&] { return error_packet.tally().closes == 1; }));
    EXPECT_EQ(good.tally().closes, 0);
    close(kept[0]);
}

TEST(MultiExchangeReuseTest, KeptSocketPassedBackIsAskedOnAgain) {
    Server server;
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    ASSERT_EQ(kept.size(), 1u);
    ASSERT_TRUE(IsOpen(kept[0]));
    const int first = kept[0];

    for (int round = 2; round <= 3; ++round) {
        std::vector<int> again;
        auto got = Exchange({server.target(kept[0])}, &again);
        ExpectAnswer(got[0]);
        ASSERT_EQ(again.size(), 1u);
        EXPECT_EQ(again[0], first) << "the same socket comes back";
        kept = again;
        EXPECT_EQ(server.tally().requests, round);
    }
    EXPECT_EQ(server.tally().accepts, 1) << "one connection for all three exchanges";
    close(kept[0]);
}

TEST(MultiExchangeReuseTest, ReusedSocketCarriesTheRequest) {
    // A socketpair stands for a kept connection; the answer waits in it already.
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    const Bytes answer = Packet(kAnswerType, kAnswer);
    ASSERT_EQ(send(sp[1], answer.data(), answer.size(), 0), static_cast<ssize_t>(answer.size()));
    RefusingPort nobody;  // the target's address: never connected to
    std::vector<int> kept;
    auto got = Exchange({ExchangeTarget{"127.0.0.1", nobody.port(), sp[0]}}, &kept);
    ExpectAnswer(got[0]);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0], sp[0]);
    // What ExchangeAll wrote on it: exactly the request.
    std::uint8_t buf[64];
    const ssize_t n = recv(sp[1], buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    EXPECT_EQ(Bytes(buf, buf + n), Packet(kRequestType, kPayload));
    close(sp[0]);
    close(sp[1]);
}

TEST(MultiExchangeReuseTest, ReusedSocketWithoutKeptIsClosedAfterTheAnswer) {
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    const Bytes answer = Packet(kAnswerType, kAnswer);
    ASSERT_EQ(send(sp[1], answer.data(), answer.size(), 0), static_cast<ssize_t>(answer.size()));
    RefusingPort nobody;
    auto got = Exchange({ExchangeTarget{"127.0.0.1", nobody.port(), sp[0]}}, nullptr);
    ExpectAnswer(got[0]);
    EXPECT_TRUE(IsClosed(sp[0]));
    EXPECT_TRUE(SeesClose(sp[1]));
    close(sp[1]);
}

TEST(MultiExchangeReuseTest, KeptIsResizedToTheTargetsAndOverwritten) {
    RefusingPort refusing;
    std::vector<int> kept = {7, 7, 7, 7, 7};
    Exchange({refusing.target(), refusing.target()}, &kept);
    EXPECT_EQ(kept, (std::vector<int>{-1, -1}));

    std::vector<int> none = {7};
    EXPECT_TRUE(ExchangeAll({}, Ask(), Limits(), Deadline::After(kRun), &none).empty());
    EXPECT_TRUE(none.empty());
}

TEST(MultiExchangeReuseTest, AnswerFollowedByMoreBytesIsNotKept) {
    // An answer and a NOP in one write: the socket is not known to be in step.
    Server server([](FakeConnection& c, int, int) {
        return c.Write(Concat(Packet(kAnswerType, kAnswer), Packet(0, {})));
    });
    std::vector<int> kept;
    auto got = Exchange({server.target()}, &kept);
    ExpectAnswer(got[0]);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0], -1);
    EXPECT_TRUE(Eventually([&] { return server.tally().closes == 1; }))
        << "the socket not kept was left open";
}

TEST(MultiExchangeReuseTest, AnswerAfterNopsIsKept) {
    // NOPs before the answer are skipped; nothing after it: kept.
    Server server([](FakeConnection& c, int, int) {
        return c.Write(Concat(Packet(0, {}), Packet(kAnswerType, kAnswer)));
    });
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_TRUE(IsOpen(kept[0]));
    close(kept[0]);
}

// ---- kept sockets that went bad while idle --------------------------------------------------

TEST(MultiExchangeReuseTest, KeptSocketClosedByTheServerIsReplacedByAFreshOne) {
    // Every connection answers once, then the server closes it (FIN).
    Server server([](FakeConnection& c, int, int) {
        c.Write(Packet(kAnswerType, kAnswer));
        return false;
    });
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    ASSERT_TRUE(IsOpen(kept[0]));
    ASSERT_TRUE(WaitFor(kept[0], POLLRDHUP)) << "the fake never closed";

    std::vector<int> again;
    auto got = Exchange({server.target(kept[0])}, &again);
    ExpectAnswer(got[0]);
    EXPECT_EQ(server.tally().accepts, 2) << "the retry connects anew";
    EXPECT_EQ(server.tally().requests, 2);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_TRUE(IsOpen(again[0])) << "the fresh connection's socket is kept";
    if (again[0] >= 0) close(again[0]);
}

TEST(MultiExchangeReuseTest, KeptSocketResetByTheServerIsReplacedByAFreshOne) {
    std::shared_ptr<Tally> tally;
    Server server([&tally](FakeConnection& c, int connection, int) {
        c.Write(Packet(kAnswerType, kAnswer));
        if (connection > 1) return true;
        // Once the answer was read: the first connection ends with a RST.
        for (int i = 0; i < 400 && tally->go < 1; ++i) c.Sleep(5ms);
        c.Reset();
        return false;
    });
    tally = server.shared_tally();
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    server.tally().go = 1;
    ASSERT_TRUE(WaitFor(kept[0], POLLIN)) << "the fake never reset";

    auto got = Exchange({server.target(kept[0])}, nullptr);
    ExpectAnswer(got[0]);
    EXPECT_EQ(server.tally().accepts, 2);
}

TEST(MultiExchangeReuseTest, KeptSocketWhosePeerIsGoneIsReplacedByAFreshOne) {
    // A kept socket whose other end is gone altogether: the send fails at once (EPIPE).
    Server server;
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    close(sp[1]);
    std::vector<int> kept;
    auto got = Exchange({server.target(sp[0])}, &kept);
    ExpectAnswer(got[0]);
    EXPECT_EQ(server.tally().accepts, 1);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_TRUE(IsOpen(kept[0]));
    if (kept[0] >= 0) close(kept[0]);
}

TEST(MultiExchangeReuseTest, KeptSocketWithAnIdleNopThenClosedIsReplacedByAFreshOne) {
    // While the socket idled the server sent a keep-alive NOP, then closed (a restart). The
    // NOP is no byte of an answer: the request was never seen, so it is asked anew.
    std::shared_ptr<Tally> tally;
    Server server([&tally](FakeConnection& c, int connection, int) {
        c.Write(Packet(kAnswerType, kAnswer));
        if (connection > 1) return true;
        for (int i = 0; i < 400 && tally->go < 1; ++i) c.Sleep(5ms);
        c.Write(Packet(0, {}));  // after the exchange: the socket was kept
        for (int i = 0; i < 400 && tally->go < 2; ++i) c.Sleep(5ms);
        return false;  // closed while idle
    });
    tally = server.shared_tally();
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    ASSERT_EQ(kept.size(), 1u);
    ASSERT_TRUE(IsOpen(kept[0]));
    server.tally().go = 1;
    ASSERT_TRUE(WaitFor(kept[0], POLLIN)) << "the fake never sent the NOP";
    server.tally().go = 2;
    ASSERT_TRUE(WaitFor(kept[0], POLLRDHUP)) << "the fake never closed";

    auto got = Exchange({server.target(kept[0])}, nullptr);
    ASSERT_TRUE(got[0].ok()) << got[0].error().message;
    EXPECT_EQ(server.tally().accepts, 2);
}

TEST(MultiExchangeReuseTest, KeptSocketFailingMidAnswerIsNotAskedAgain) {
    // The second request gets 5 bytes of a header, then the close: the server saw the
    // request and began to answer, so that is an error, not a stale socket.
    Server server([](FakeConnection& c, int, int request) {
        if (request == 1) return c.Write(Packet(kAnswerType, kAnswer));
        const Bytes h = Header(kAnswerType, 6);
        c.Write(Bytes(h.begin(), h.begin() + 5));
        return false;
    });
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    ASSERT_TRUE(IsOpen(kept[0]));
    std::vector<int> again;
    auto got = Exchange({server.target(kept[0])}, &again);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kClosed);
    EXPECT_THAT(got[0].error().message, HasSubstr("(5 of 8 bytes)"));
    EXPECT_EQ(server.tally().accepts, 1) << "no retry after part of an answer";
    EXPECT_EQ(again, std::vector<int>{-1});
}

TEST(MultiExchangeReuseTest, KeptSocketAnsweringAnErrorPacketIsNotAskedAgain) {
    Server server([](FakeConnection& c, int, int request) {
        return c.Write(request == 1 ? Packet(kAnswerType, kAnswer) : Packet(1, {}));
    });
    std::vector<int> kept;
    ExpectAnswer(Exchange({server.target()}, &kept)[0]);
    auto got = Exchange({server.target(kept[0])}, nullptr);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kErrorPacket);
    EXPECT_EQ(server.tally().accepts, 1);
}

TEST(MultiExchangeReuseTest, RetryThatIsRefusedIsAnErrorForThatTargetOnly) {
    auto server = std::make_unique<Server>();
    Server other;
    std::vector<int> kept;
    ExpectAnswer(Exchange({server->target()}, &kept)[0]);
    ASSERT_TRUE(IsOpen(kept[0]));
    const ExchangeTarget gone = server->target(kept[0]);
    server->Stop();  // closes the kept connection and stops listening
    ASSERT_TRUE(WaitFor(kept[0], POLLRDHUP));

    auto got = Exchange({gone, other.target()}, nullptr);
    ASSERT_EQ(got.size(), 2u);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kConnect);
    EXPECT_THAT(got[0].error().message, HasSubstr(fmt::format("127.0.0.1:{}", gone.port)));
    ExpectAnswer(got[1]);
}

// ---- no descriptor leaks ---------------------------------------------------------------------

TEST(MultiExchangeReuseTest, UnusedReuseFdOfAnInvalidTargetIsClosed) {
    const int before = OpenDescriptors();
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    std::vector<int> kept;
    auto got = Exchange({ExchangeTarget{"not-an-address", 9422, sp[0]}}, &kept);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(kept, std::vector<int>{-1});
    EXPECT_TRUE(IsClosed(sp[0]));
    EXPECT_TRUE(SeesClose(sp[1]));
    close(sp[1]);
    EXPECT_EQ(OpenDescriptors(), before);
}

TEST(MultiExchangeReuseTest, UnusedReuseFdIsClosedWhenTheRunEndedBeforeItsTurn) {
    const int before = OpenDescriptors();
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    RefusingPort nobody;
    std::vector<int> kept;
    auto got = ExchangeAll(std::vector<ExchangeTarget>{{"127.0.0.1", nobody.port(), sp[0]}}, Ask(),
                           Limits(), Deadline::After(0ms), &kept);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kTimeout);
    EXPECT_EQ(kept, std::vector<int>{-1});
    EXPECT_TRUE(IsClosed(sp[0]));
    close(sp[1]);
    EXPECT_EQ(OpenDescriptors(), before + 1);  // the RefusingPort's socket
}

TEST(MultiExchangeReuseTest, ReuseFdsOfFailedTargetsAreClosed) {
    // A reused socket that gets garbage (no retry: bytes came) is closed, not leaked.
    int sp[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
    const Bytes garbage = Packet(999, {1});
    ASSERT_EQ(send(sp[1], garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
    RefusingPort nobody;
    std::vector<int> kept;
    auto got = Exchange({ExchangeTarget{"127.0.0.1", nobody.port(), sp[0]}}, &kept);
    ASSERT_FALSE(got[0].ok());
    EXPECT_EQ(got[0].error().kind, ErrorKind::kProtocol);
    EXPECT_EQ(kept, std::vector<int>{-1});
    EXPECT_TRUE(IsClosed(sp[0]));
    close(sp[1]);
}

}  // namespace
}  // namespace mfsmon::transport::test
