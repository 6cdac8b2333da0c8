// MasterSession with a ConnectionPool, against a fake master on loopback: a second session
// borrows the first one's connection; a borrowed connection the master closed while it idled
// costs a fresh connect and a resend, never the one reconnect a real failure gets. Then
// Collect() with a pool against a fake cluster: the master connection and the chunkserver
// sockets are used again by the next collection.
#include "collect/master_session.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../../common/fake_server.h"
#include "collect/collector.h"
#include "collect/connection_pool.h"
#include "fake_cluster.h"
#include "protocol/command_ids.h"
#include "transport/deadline.h"

namespace mfsmon::collect {
namespace {

using namespace std::chrono_literals;
using fake::Bytes;
using fake::FakeConnection;
using protocol::Command;
using transport::Deadline;

constexpr auto kBudget = 5s;  // far more than loopback needs: a hang guard

// ---- a fake master that loops over its requests ---------------------------------------------

// What the fake master does with one request.
enum class Act {
    kAnswer,               // answer it
    kClose,                // close without answering
    kAnswerThenIdle,       // answer it, then wait for CloseIdle() and close (FIN)
    kAnswerThenIdleReset,  // the same, closing with a reset (RST)
};

// Answers request type T with T+1 and a payload that echoes the request's, so that every
// answer can be matched to its request. Counts connections and requests per connection.
class LoopingMaster {
  public:
    // connection counts from 1; request counts from 1 on each connection.
    using Policy = std::function<Act(int connection, int request)>;

    explicit LoopingMaster(Policy policy = {})
        : policy_(std::move(policy)), server_([this](FakeConnection& c) { Serve(c); }, Options()) {}

    std::uint16_t port() const { return server_.port(); }

    // Requests (their payloads' first byte) read per connection, in order.
    std::vector<std::vector<int>> Requests() const {
        std::lock_guard lock(mu_);
        return requests_;
    }
    int Connections() const { return static_cast<int>(Requests().size()); }

    // Lets a connection waiting in kAnswerThenIdle close.
    void CloseIdle() { close_idle_ = true; }

  private:
    static fake::ServerOptions Options() {
        fake::ServerOptions o;
        o.reuse_address = true;
        o.no_delay = true;
        o.max_request = 1u << 20;
        return o;
    }

    void Serve(FakeConnection& c) {
        int connection = 0;
        {
            std::lock_guard lock(mu_);
            requests_.emplace_back();
            connection = static_cast<int>(requests_.size());
        }
        int request = 0;
        while (auto req = c.ReadRequest()) {
            ++request;
            {
                std::lock_guard lock(mu_);
                requests_[static_cast<std::size_t>(connection - 1)].push_back(
                    req->payload.empty() ? -1 : req->payload[0]);
            }
            const Act act = policy_ ? policy_(connection, request) : Act::kAnswer;
            if (act == Act::kClose) return;
            Bytes payload = req->payload;
            payload.push_back(0xAA);
            if (!c.Write(fake::Frame(req->type + 1, payload))) return;
            if (act == Act::kAnswerThenIdle || act == Act::kAnswerThenIdleReset) {
                // Idle until told (the client has read the answer by then), then close.
                for (int i = 0; i < 1000 && !close_idle_; ++i) {
                    if (!c.Sleep(5ms)) return;
                }
                if (act == Act::kAnswerThenIdleReset) c.Reset();
                return;
            }
        }
    }

    Policy policy_;
    std::atomic<bool> close_idle_{false};
    mutable std::mutex mu_;
    std::vector<std::vector<int>> requests_;
    fake::FakeServer server_;  // last: its thread stops before the rest goes
};

MasterRequest Request(Command command, std::uint8_t id) {
    return MasterRequest{command, {id}, 1000};
}

// One session: Connect, queue `ids` (INFO, CSERV_LIST, MLOG_LIST in turn), one Flush, read
// every answer, Release. Returns each answer's check text: "ok" or the error.
struct SessionRun {
    std::vector<std::string> answers;
    int reconnects = -1;
    std::string connect_error;
};

SessionRun RunSession(std::uint16_t port, ConnectionPool* pool, const std::vector<int>& ids) {
    static const Command kCommands[] = {Command::kInfo, Command::kCservList, Command::kMlogList};
    SessionRun run;
    const auto deadline = Deadline::After(kBudget);
    MasterSession session("127.0.0.1", port, pool);
    if (auto st = session.Connect(deadline); !st) {
        run.connect_error = st.error().message;
        return run;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        session.Queue(Request(kCommands[i % 3], static_cast<std::uint8_t>(ids[i])));
    }
    (void)session.Flush(deadline);  // a failed write shows in the reads
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto frame = session.Read(deadline);
        if (!frame) {
            run.answers.push_back("error: " + frame.error().message);
            continue;
        }
        const std::uint32_t want_type = protocol::AnswerType(kCommands[i % 3]);
        const Bytes want_payload = {static_cast<std::uint8_t>(ids[i]), 0xAA};
        run.answers.push_back(frame->type == want_type && frame->payload == want_payload
                                  ? "ok"
                                  : fmt::format("wrong answer: type {}", frame->type));
    }
    run.reconnects = session.reconnects();
    session.Release();
    return run;
}

const std::vector<std::string> kOk1 = {"ok"};
const std::vector<std::string> kOk2 = {"ok", "ok"};
const std::vector<std::string> kOk3 = {"ok", "ok", "ok"};

// Waits (hang guard, 2 s) until the idle master connection in `pool` sees its peer gone,
// and puts it back: the next session then borrows a connection known to be closed.
void WaitUntilPooledMasterClosed(ConnectionPool& pool, std::uint16_t port) {
    auto conn = pool.TakeMaster("127.0.0.1", port);
    ASSERT_TRUE(conn.has_value());
    pollfd p{conn->fd(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1) << "the fake master never closed the idle connection";
    pool.GiveBackMaster("127.0.0.1", port, std::move(*conn));
}

// ---- borrowing -------------------------------------------------------------------------------

TEST(MasterSessionPoolTest, WithoutPoolEverySessionConnects) {
    LoopingMaster master;
    EXPECT_EQ(RunSession(master.port(), nullptr, {1, 2}).answers, kOk2);
    EXPECT_EQ(RunSession(master.port(), nullptr, {3, 4}).answers, kOk2);
    EXPECT_EQ(master.Requests(), (std::vector<std::vector<int>>{{1, 2}, {3, 4}}));
}

TEST(MasterSessionPoolTest, SecondSessionBorrowsTheFirstOnesConnection) {
    LoopingMaster master;
    ConnectionPool pool;
    auto first = RunSession(master.port(), &pool, {1, 2});
    EXPECT_EQ(first.answers, kOk2);
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(pool.Stats().missed, 1u);

    auto second = RunSession(master.port(), &pool, {3, 4, 5});
    EXPECT_EQ(second.answers, kOk3);
    EXPECT_EQ(second.reconnects, 0);
    EXPECT_EQ(pool.Stats().reused, 1u);
    EXPECT_EQ(pool.Stats().idle, 1u);  // given back again
    // One connection for both sessions, every request on it.
    EXPECT_EQ(master.Requests(), (std::vector<std::vector<int>>{{1, 2, 3, 4, 5}}));
}

TEST(MasterSessionPoolTest, ReleaseWithAnswersOutstandingKeepsNothing) {
    LoopingMaster master;
    ConnectionPool pool;
    {
        const auto deadline = Deadline::After(kBudget);
        MasterSession session("127.0.0.1", master.port(), &pool);
        ASSERT_TRUE(session.Connect(deadline).ok());
        session.Queue(Request(Command::kInfo, 1));
        session.Queue(Request(Command::kCservList, 2));
        ASSERT_TRUE(session.Flush(deadline).ok());
        ASSERT_TRUE(session.Read(deadline).ok());
        session.Release();  // CSERV_LIST's answer is still to come: out of step
    }
    EXPECT_EQ(pool.Stats().idle, 0u);
    {
        const auto deadline = Deadline::After(kBudget);
        MasterSession session("127.0.0.1", master.port(), &pool);
        ASSERT_TRUE(session.Connect(deadline).ok());
        session.Queue(Request(Command::kInfo, 3));  // queued, never written
        session.Release();
    }
    EXPECT_EQ(pool.Stats().idle, 0u);
    // A third session connects anew and is answered in step.
    EXPECT_EQ(RunSession(master.port(), &pool, {4}).answers, kOk1);
    EXPECT_EQ(master.Connections(), 3);
}

TEST(MasterSessionPoolTest, ReleaseWithoutPoolOrConnectionIsHarmless) {
    LoopingMaster master;
    MasterSession unpooled("127.0.0.1", master.port());
    ASSERT_TRUE(unpooled.Connect(Deadline::After(kBudget)).ok());
    unpooled.Release();
    ConnectionPool pool;
    MasterSession never_connected("127.0.0.1", master.port(), &pool);
    never_connected.Release();
    EXPECT_EQ(pool.Stats().idle, 0u);
}

// ---- a borrowed connection the master closed while it idled ---------------------------------

struct ClosedWhileIdle {
    const char* name;
    Act how;
};

void PrintTo(const ClosedWhileIdle& c, std::ostream* os) {
    *os << c.name;
}

class ClosedWhileIdleTest : public ::testing::TestWithParam<ClosedWhileIdle> {};

TEST_P(ClosedWhileIdleTest, NextSessionConnectsAnewWithoutUsingItsReconnect) {
    // Connection 1 answers the first session, then closes while idle in the pool.
    const Act how = GetParam().how;
    LoopingMaster master(
        [how](int connection, int) { return connection == 1 ? how : Act::kAnswer; });
    ConnectionPool pool;
    EXPECT_EQ(RunSession(master.port(), &pool, {1}).answers, kOk1);
    ASSERT_EQ(pool.Stats().idle, 1u);
    master.CloseIdle();
    WaitUntilPooledMasterClosed(pool, master.port());

    auto second = RunSession(master.port(), &pool, {2, 3, 4});
    EXPECT_EQ(second.answers, kOk3);
    EXPECT_EQ(second.reconnects, 0) << "closed while idle must not cost the real reconnect";
    // Every request answered on the fresh connection, each once.
    EXPECT_EQ(master.Requests(), (std::vector<std::vector<int>>{{1}, {2, 3, 4}}));
    // The fresh connection is in step and kept for the next session.
    EXPECT_EQ(pool.Stats().idle, 1u);
    EXPECT_EQ(RunSession(master.port(), &pool, {5}).answers, kOk1);
    EXPECT_EQ(master.Connections(), 2);
}

TEST_P(ClosedWhileIdleTest, RealFailureAfterwardsStillGetsTheOneReconnect) {
    // Connection 1 closes while idle; connection 2 (the free replacement) closes on its first
    // request: that is a real failure. The request gets the error (the master closes on
    // requests it rejects), the one reconnect re-sends the rest.
    const Act how = GetParam().how;
    LoopingMaster master([how](int connection, int) {
        if (connection == 1) return how;
        if (connection == 2) return Act::kClose;
        return Act::kAnswer;
    });
    ConnectionPool pool;
    EXPECT_EQ(RunSession(master.port(), &pool, {1}).answers, kOk1);
    master.CloseIdle();
    WaitUntilPooledMasterClosed(pool, master.port());

    auto second = RunSession(master.port(), &pool, {2, 3});
    ASSERT_EQ(second.answers.size(), 2u);
    EXPECT_NE(second.answers[0], "ok");
    EXPECT_EQ(second.answers[1], "ok");
    EXPECT_EQ(second.reconnects, 1);
    EXPECT_EQ(master.Requests(), (std::vector<std::vector<int>>{{1}, {2}, {3}}));
}

TEST_P(ClosedWhileIdleTest, FreshConnectionFailingTooEndsWithErrorsNotALoop) {
    // Connection 1 closes while idle; every later connection closes on its first request.
    const Act how = GetParam().how;
    LoopingMaster master(
        [how](int connection, int) { return connection == 1 ? how : Act::kClose; });
    ConnectionPool pool;
    EXPECT_EQ(RunSession(master.port(), &pool, {1}).answers, kOk1);
    master.CloseIdle();
    WaitUntilPooledMasterClosed(pool, master.port());

    auto second = RunSession(master.port(), &pool, {2, 3});
    ASSERT_EQ(second.answers.size(), 2u);
    EXPECT_NE(second.answers[0], "ok");
    EXPECT_NE(second.answers[1], "ok");
    // One free replacement, then the one real reconnect: three connections in all.
    EXPECT_EQ(second.reconnects, 1);
    EXPECT_EQ(master.Connections(), 3);
    EXPECT_EQ(pool.Stats().idle, 0u);  // nothing in step to give back
}

INSTANTIATE_TEST_SUITE_P(Closes, ClosedWhileIdleTest,
                         ::testing::Values(ClosedWhileIdle{"Fin", Act::kAnswerThenIdle},
                                           ClosedWhileIdle{"Reset", Act::kAnswerThenIdleReset}),
                         [](const ::testing::TestParamInfo<ClosedWhileIdle>& info) {
                             return std::string(info.param.name);
                         });

TEST(MasterSessionPoolTest, BorrowedConnectionThatAnsweredFailsLikeAnyOther) {
    // Connection 1 answers session 1, then the first request of session 2, then closes on
    // the second: the borrowed connection was alive, so the close is the master rejecting
    // that request. It gets the error; it is not re-sent on a free fresh connection.
    LoopingMaster master([](int connection, int request) {
        return connection == 1 && request == 3 ? Act::kClose : Act::kAnswer;
    });
    ConnectionPool pool;
    EXPECT_EQ(RunSession(master.port(), &pool, {1}).answers, kOk1);
    auto second = RunSession(master.port(), &pool, {2, 3});
    ASSERT_EQ(second.answers.size(), 2u);
    EXPECT_EQ(second.answers[0], "ok");
    EXPECT_NE(second.answers[1], "ok");
    EXPECT_EQ(second.reconnects, 0);  // nothing was left to re-send
    EXPECT_EQ(master.Requests(), (std::vector<std::vector<int>>{{1, 2, 3}}));
}

// ---- Collect() with a pool -------------------------------------------------------------------

using fault::CservEntry;
using fault::FakeCluster;
using fault::FakeMaster;

CservEntry Entry(int csid) {
    for (const auto& e : fault::RecordedCservList()) {
        if (e.csid == csid) return e;
    }
    throw std::runtime_error("no such chunkserver in the recording");
}

// A chunkserver answering every CLTOCS_HDD_LIST on a connection with the recorded answer;
// `close_after_answer` closes after each (as a chunkserver restarting between scrapes).
FakeMaster::Script HddServer(int n, std::shared_ptr<std::atomic<int>> accepts,
                             bool close_after_answer) {
    return [n, accepts, close_after_answer](FakeConnection& c) {
        ++*accepts;
        while (auto req = c.ReadRequest()) {
            if (req->type != protocol::kCltocsHddList || !req->payload.empty()) return;
            if (!c.Write(fault::RecordedHddAnswer(n))) return;
            if (close_after_answer) return;
        }
    };
}

struct Cluster {
    FakeCluster cluster;
    std::vector<std::shared_ptr<std::atomic<int>>> accepts;

    explicit Cluster(bool close_after_answer) {
        for (int n = 1; n <= 2; ++n) {
            accepts.push_back(std::make_shared<std::atomic<int>>(0));
            cluster.AddChunkserver(HddServer(n, accepts.back(), close_after_answer), Entry(n));
        }
        cluster.StartMaster();
    }

    // "ok" when the collection read INFO, the chunkserver list and both servers' disks.
    std::string Collect(ConnectionPool* pool) {
        CollectRequest request;
        request.host = "127.0.0.1";
        request.port = cluster.master().port();
        request.parts = PartSet{Part::kChunkservers, Part::kDisks};
        request.per_chunkserver = 2s;
        request.pool = pool;
        auto snap = collect::Collect(request, Deadline::After(kBudget));
        if (!snap) return "collect: " + snap.error().message;
        if (!snap->chunkservers || !*snap->chunkservers) return "no chunkserver list";
        if (!snap->disks || !*snap->disks) return "no disks";
        if (snap->disks->value().size() != 2) return "not two servers' disks";
        for (const auto& s : snap->disks->value()) {
            if (!s.disks) return s.server + ": " + s.disks.error().message;
            if (s.disks->empty()) return s.server + ": no disks";
        }
        return "ok";
    }
};

TEST(CollectPoolTest, WithoutPoolEveryCollectionConnectsEverywhere) {
    Cluster c(false);
    EXPECT_EQ(c.Collect(nullptr), "ok");
    EXPECT_EQ(c.Collect(nullptr), "ok");
    EXPECT_EQ(c.cluster.master().Requests().size(), 2u);
    EXPECT_EQ(*c.accepts[0], 2);
    EXPECT_EQ(*c.accepts[1], 2);
    EXPECT_TRUE(c.cluster.master().Mismatches().empty());
}

TEST(CollectPoolTest, SecondCollectionUsesTheKeptConnections) {
    Cluster c(false);
    ConnectionPool pool;
    EXPECT_EQ(c.Collect(&pool), "ok");
    EXPECT_EQ(pool.Stats().idle, 3u);  // the master's and both chunkservers'
    EXPECT_EQ(c.Collect(&pool), "ok");
    EXPECT_EQ(pool.Stats().idle, 3u);
    EXPECT_EQ(pool.Stats().reused, 3u);
    const auto requests = c.cluster.master().Requests();
    ASSERT_EQ(requests.size(), 1u) << "the master was connected to twice";
    EXPECT_EQ(requests[0].size(), 4u);  // INFO and CSERV_LIST, twice
    EXPECT_EQ(*c.accepts[0], 1);
    EXPECT_EQ(*c.accepts[1], 1);
    EXPECT_TRUE(c.cluster.master().Mismatches().empty());
}

TEST(CollectPoolTest, ChunkserversThatClosedTheKeptSocketsAreAskedAnew) {
    Cluster c(true);
    ConnectionPool pool;
    EXPECT_EQ(c.Collect(&pool), "ok");
    // Wait (hang guard) until both chunkservers' kept sockets show the close.
    for (int i = 0; i < 2; ++i) {
        const auto& e = c.cluster.entries()[static_cast<std::size_t>(i)];
        const int fd = pool.TakeChunkserver("127.0.0.1", e.port);
        ASSERT_GE(fd, 0);
        pollfd p{fd, POLLIN, 0};
        ASSERT_EQ(poll(&p, 1, 2000), 1);
        pool.GiveBackChunkserver("127.0.0.1", e.port, fd);
    }
    EXPECT_EQ(c.Collect(&pool), "ok");
    EXPECT_EQ(*c.accepts[0], 2);
    EXPECT_EQ(*c.accepts[1], 2);
    EXPECT_EQ(c.cluster.master().Requests().size(), 1u);
}

}  // namespace
}  // namespace mfsmon::collect
