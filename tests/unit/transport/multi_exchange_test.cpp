// ExchangeAll against fake chunkservers on loopback: every way one server can answer badly
// is an error value for that server alone, worded like Connection's messages and naming the
// target, while the healthy servers beside it still answer -- within about per_target.
#include "transport/multi_exchange.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_chunkserver.h"

namespace mfsmon::transport::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::uint32_t kHddList = 600;        // CLTOCS_HDD_LIST
constexpr std::uint32_t kHddListAnswer = 601;  // CSTOCL_HDD_LIST
constexpr std::uint32_t kMaxAnswer = 4096;
constexpr auto kPerTarget = 500ms;
// Far above per_target: only the rows' own clocks should end them.
constexpr auto kRunBudget = 10s;
// How far past per_target a run may end: scheduling slack, generous for sanitizer builds.
constexpr auto kSlack = 1s;

const Bytes kRequestPayload = {0xAB, 0xCD, 0xEF};  // checked by the fake on arrival
const Bytes kAnswer = {'d', 'i', 's', 'k', 's', ' ', 'o', 'f', ' ', 'c',
                       's', '1', 0,   1,   2,   3,   4,   5,   6,   7};

ExchangeRequest HddList() {
    return ExchangeRequest{kHddList, kRequestPayload, kHddListAnswer, kMaxAnswer,
                           "CLTOCS_HDD_LIST"};
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string WithPeer(std::string pattern, const std::string& peer) {
    for (std::size_t at; (at = pattern.find("{peer}")) != std::string::npos;) {
        pattern.replace(at, 6, peer);
    }
    return pattern;
}

// Reads the request and hands over only if it is the one ExchangeAll was given; anything else
// gets ANTOAN_UNKNOWN_COMMAND, so a mangled request fails the test visibly.
FakeChunkserver::Script AfterRequest(std::function<void(FakeConnection&)> then) {
    return [then](FakeConnection& c) {
        auto req = c.ReadRequest();
        if (!req) return;
        if (req->type != kHddList || req->payload != kRequestPayload) {
            c.Write(Packet(1, {}));
            return;
        }
        then(c);
    };
}

FakeChunkserver::Script Answers() {
    return AfterRequest([](FakeConnection& c) { c.Write(Packet(kHddListAnswer, kAnswer)); });
}

// ---- the table ---------------------------------------------------------------------------

struct Row {
    const char* name;
    const char* server_does;
    FakeChunkserver::Script script;           // empty: the port refuses connections
    std::optional<ErrorKind> expected_error;  // empty: the answer is expected
    const char* expected_message;             // substring; "{peer}" stands for "127.0.0.1:port"
    Bytes expected_payload;
};

void PrintTo(const Row& row, std::ostream* os) {
    *os << row.name << " (" << row.server_does << ")";
}

Bytes RandomBytes(std::size_t size) {
    std::mt19937 rng(12345);
    Bytes junk(size);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    return junk;
}

std::vector<Row> Rows() {
    std::vector<Row> rows;
    auto value = [&](const char* name, const char* does, FakeChunkserver::Script script,
                     Bytes payload) {
        rows.push_back({name, does, std::move(script), std::nullopt, "", std::move(payload)});
    };
    auto error = [&](const char* name, const char* does, FakeChunkserver::Script script,
                     ErrorKind kind, const char* message) {
        rows.push_back({name, does, std::move(script), kind, message, {}});
    };

    // Controls: prove the fake and the reassembly right.
    value("answers", "reads the request, answers", Answers(), kAnswer);
    value("NOPs before the answer", "three empty NOPs and a 4-byte one, then the answer",
          AfterRequest([](FakeConnection& c) {
              c.Write(Concat(Concat(Packet(0, {}), Packet(0, {})), Packet(0, {})));
              c.Write(Packet(0, {0, 0, 0, 0}));
              c.Write(Packet(kHddListAnswer, kAnswer));
          }),
          kAnswer);
    value("answer in 3-byte pieces", "the answer split into 3-byte writes, 2 ms apart",
          AfterRequest([](FakeConnection& c) {
              const Bytes all = Concat(Packet(0, {}), Packet(kHddListAnswer, kAnswer));
              for (std::size_t i = 0; i < all.size(); i += 3) {
                  const Bytes piece(all.begin() + static_cast<long>(i),
                                    all.begin() + static_cast<long>(std::min(all.size(), i + 3)));
                  if (!c.Write(piece) || !c.Sleep(2ms)) return;
              }
          }),
          kAnswer);
    value("empty answer", "the right type with length 0",
          AfterRequest([](FakeConnection& c) { c.Write(Header(kHddListAnswer, 0)); }), {});
    value("bytes after the answer", "the answer, then 64 KiB of garbage",
          AfterRequest([](FakeConnection& c) {
              c.Write(Concat(Packet(kHddListAnswer, kAnswer), RandomBytes(64 * 1024)));
          }),
          kAnswer);

    // Faults.
    error("refused", "nothing listens on the port", nullptr, ErrorKind::kConnect,
          "{peer} refused the connection");
    error("closed after the request", "reads the request, closes",
          AfterRequest([](FakeConnection&) {}), ErrorKind::kClosed,
          "{peer} closed the connection instead of answering CLTOCS_HDD_LIST (it closes on "
          "requests it rejects)");
    error("reset after the request", "reads the request, resets the connection",
          AfterRequest([](FakeConnection& c) { c.Reset(); }), ErrorKind::kIo,
          "reading the answer to CLTOCS_HDD_LIST from {peer} failed: Connection reset by peer");
    error("never answers", "accepts, reads the request, stays silent",
          AfterRequest([](FakeConnection& c) { c.WaitForClose(); }), ErrorKind::kTimeout,
          "timeout: no answer to CLTOCS_HDD_LIST from {peer} within 0.5 s");
    error(
        "never reads", "accepts, never reads, stays silent",
        [](FakeConnection& c) { c.WaitForClose(); }, ErrorKind::kTimeout,
        "timeout: no answer to CLTOCS_HDD_LIST from {peer} within 0.5 s");
    error("one byte every 100 ms", "the answer one byte per 100 ms (the header takes 800 ms)",
          AfterRequest(
              [](FakeConnection& c) { c.WriteSlowly(Packet(kHddListAnswer, kAnswer), 100ms); }),
          ErrorKind::kTimeout, "timeout: no answer to CLTOCS_HDD_LIST from {peer} within 0.5 s");
    error("payload one byte every 100 ms", "the header at once, the payload one byte per 100 ms",
          AfterRequest([](FakeConnection& c) {
              if (c.Write(Header(kHddListAnswer, static_cast<std::uint32_t>(kAnswer.size())))) {
                  c.WriteSlowly(kAnswer, 100ms);
              }
          }),
          ErrorKind::kTimeout,
          "timeout: the answer to CLTOCS_HDD_LIST from {peer} was incomplete after 0.5 s (");
    error("random garbage", "64 KiB of seeded random bytes, then silence",
          AfterRequest([](FakeConnection& c) {
              c.Write(RandomBytes(64 * 1024));
              c.WaitForClose();
          }),
          // std::mt19937 is fully specified, so the seeded bytes (and this header) are too.
          ErrorKind::kProtocol,
          "unexpected packet type 3806666113 (length 2762604158) from {peer} in answer to "
          "CLTOCS_HDD_LIST (expected type 601)");
    error("length 0xFFFFFFFF", "a header claiming 4 GiB, then silence",
          AfterRequest([](FakeConnection& c) {
              c.Write(Header(kHddListAnswer, 0xFFFFFFFFu));
              c.WaitForClose();
          }),
          ErrorKind::kProtocol,
          "answer to CLTOCS_HDD_LIST from {peer} claims 4294967295 bytes, more than the 4096 "
          "this answer can have");
    error("one byte over the limit", "a header claiming max_answer_length + 1",
          AfterRequest([](FakeConnection& c) {
              c.Write(Header(kHddListAnswer, kMaxAnswer + 1));
              c.WaitForClose();
          }),
          ErrorKind::kProtocol, "from {peer} claims 4097 bytes, more than the 4096");
    error("close mid-header", "5 of the 8 header bytes, close", AfterRequest([](FakeConnection& c) {
              const Bytes h = Header(kHddListAnswer, 20);
              c.Write(Bytes(h.begin(), h.begin() + 5));
          }),
          ErrorKind::kClosed,
          "{peer} closed the connection in the middle of the header of the answer to "
          "CLTOCS_HDD_LIST (5 of 8 bytes)");
    error("close mid-payload", "the header and 10 of 20 payload bytes, close",
          AfterRequest([](FakeConnection& c) {
              const Bytes all = Packet(kHddListAnswer, kAnswer);
              c.Write(Bytes(all.begin(), all.begin() + 8 + 10));
          }),
          ErrorKind::kClosed,
          "{peer} closed the connection in the middle of the answer to CLTOCS_HDD_LIST (10 of 20 "
          "bytes)");
    error("error packet 1", "ANTOAN_UNKNOWN_COMMAND",
          AfterRequest([](FakeConnection& c) { c.Write(Packet(1, {})); }), ErrorKind::kErrorPacket,
          "{peer} answered CLTOCS_HDD_LIST with ANTOAN_UNKNOWN_COMMAND");
    error("error packet 2", "ANTOAN_BAD_COMMAND_SIZE", AfterRequest([](FakeConnection& c) {
              c.Write(Packet(2, {0, 0, 0, 0}));
          }),
          ErrorKind::kErrorPacket, "{peer} answered CLTOCS_HDD_LIST with ANTOAN_BAD_COMMAND_SIZE");
    error("wrong type", "type 999 with a good payload",
          AfterRequest([](FakeConnection& c) { c.Write(Packet(999, kAnswer)); }),
          ErrorKind::kProtocol,
          "unexpected packet type 999 (length 20) from {peer} in answer to CLTOCS_HDD_LIST "
          "(expected type 601)");
    error("NOP claiming a large payload", "type 0 with length 100000, then silence",
          AfterRequest([](FakeConnection& c) {
              c.Write(Header(0, 100000));
              c.WaitForClose();
          }),
          ErrorKind::kProtocol,
          "keep-alive (NOP) packet from {peer} while waiting for the answer to CLTOCS_HDD_LIST "
          "claims 100000 bytes (at most 64)");
    error("endless NOPs", "an empty NOP every 50 ms, forever", AfterRequest([](FakeConnection& c) {
              while (c.Write(Packet(0, {})) && c.Sleep(50ms)) {
              }
          }),
          ErrorKind::kTimeout, "timeout: no answer to CLTOCS_HDD_LIST from {peer} within 0.5 s (");
    error("flood of NOPs", "zero bytes (empty NOPs) as fast as the socket takes them",
          AfterRequest([](FakeConnection& c) {
              const Bytes zeros(64 * 1024, 0);
              while (c.Write(zeros)) {
              }
          }),
          ErrorKind::kTimeout, "keep-alive packets skipped)");
    return rows;
}

// One fake per row, or a refusing port.
struct RowServer {
    std::unique_ptr<FakeChunkserver> server;
    std::unique_ptr<RefusingPort> refusing;

    explicit RowServer(const Row& row) {
        if (row.script) {
            server = std::make_unique<FakeChunkserver>(row.script);
        } else {
            refusing = std::make_unique<RefusingPort>();
        }
    }
    ExchangeTarget target() const { return server ? server->target() : refusing->target(); }
};

std::string PeerOf(const ExchangeTarget& t) {
    return fmt::format("{}:{}", t.host, t.port);
}

void ExpectRowOutcome(const Row& row, const ExchangeTarget& target, const Result<Frame>& got) {
    const std::string peer = PeerOf(target);
    if (!row.expected_error) {
        ASSERT_TRUE(got.ok()) << got.error().message;
        EXPECT_EQ(got->type, kHddListAnswer);
        EXPECT_EQ(got->payload, row.expected_payload);
        return;
    }
    ASSERT_FALSE(got.ok()) << "expected an error from " << peer;
    const Error& e = got.error();
    EXPECT_EQ(static_cast<int>(e.kind), static_cast<int>(*row.expected_error)) << e.message;
    EXPECT_THAT(e.message, HasSubstr(WithPeer(row.expected_message, peer)));
    EXPECT_THAT(e.message, HasSubstr(peer)) << "names the target";
    EXPECT_THAT(e.message, Not(HasSubstr("\n"))) << "one line";
}

class FaultTable : public ::testing::TestWithParam<Row> {};

// The faulty server sits between two healthy ones: only its own result is an error.
TEST_P(FaultTable, OnlyThatTargetFails) {
    const Row& row = GetParam();
    const int fds_before = OpenDescriptors();
    double seconds = 0;
    {
        FakeChunkserver before(Answers());
        RowServer faulty(row);
        FakeChunkserver after(Answers());
        const std::vector<ExchangeTarget> targets = {before.target(), faulty.target(),
                                                     after.target()};

        const auto start = std::chrono::steady_clock::now();
        const auto results =
            ExchangeAll(targets, HddList(), {kPerTarget, 64}, Deadline::After(kRunBudget));
        seconds = SecondsSince(start);

        ASSERT_EQ(results.size(), 3u);
        ASSERT_TRUE(results[0].ok()) << results[0].error().message;
        EXPECT_EQ(results[0]->payload, kAnswer);
        ASSERT_TRUE(results[2].ok()) << results[2].error().message;
        EXPECT_EQ(results[2]->payload, kAnswer);
        ExpectRowOutcome(row, targets[1], results[1]);
        if (!results[1].ok()) RecordProperty("message", results[1].error().message);
    }
    EXPECT_LT(seconds, std::chrono::duration<double>(kPerTarget + kSlack).count());
    // Every socket ExchangeAll opened is closed (the fakes' are gone with them).
    EXPECT_EQ(OpenDescriptors(), fds_before);
}

INSTANTIATE_TEST_SUITE_P(AllRows, FaultTable, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                             std::string n = fmt::format("{}_{}", info.index, info.param.name);
                             for (char& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return n;
                         });

// ---- mixed runs --------------------------------------------------------------------------

// Every row at once, twice over, in one call: each result is its own row's, and the whole
// run still takes about one per_target, not one per slow server.
TEST(MultiExchange, EveryFaultAtOnceEachGetsItsOwnResult) {
    const std::vector<Row> rows = Rows();
    std::vector<std::unique_ptr<RowServer>> servers;
    std::vector<ExchangeTarget> targets;
    for (int round = 0; round < 2; ++round) {
        for (const Row& row : rows) {
            servers.push_back(std::make_unique<RowServer>(row));
            targets.push_back(servers.back()->target());
        }
    }
    const auto start = std::chrono::steady_clock::now();
    const auto results =
        ExchangeAll(targets, HddList(), {kPerTarget, 64}, Deadline::After(kRunBudget));
    const double seconds = SecondsSince(start);

    ASSERT_EQ(results.size(), targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        SCOPED_TRACE(rows[i % rows.size()].name);
        ExpectRowOutcome(rows[i % rows.size()], targets[i], results[i]);
    }
    EXPECT_LT(seconds, std::chrono::duration<double>(kPerTarget + kSlack).count());
}

TEST(MultiExchange, TenGoodOneSilentTakesAboutPerTarget) {
    constexpr auto kOwnClock = 1s;
    std::vector<std::unique_ptr<FakeChunkserver>> servers;
    std::vector<ExchangeTarget> targets;
    for (int i = 0; i < 11; ++i) {
        servers.push_back(std::make_unique<FakeChunkserver>(
            i == 5 ? AfterRequest([](FakeConnection& c) { c.WaitForClose(); }) : Answers()));
        targets.push_back(servers.back()->target());
    }
    const auto start = std::chrono::steady_clock::now();
    const auto results =
        ExchangeAll(targets, HddList(), {kOwnClock, 64}, Deadline::After(kRunBudget));
    const double seconds = SecondsSince(start);

    int values = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (i == 5) continue;
        ASSERT_TRUE(results[i].ok()) << results[i].error().message;
        EXPECT_EQ(results[i]->payload, kAnswer);
        ++values;
    }
    EXPECT_EQ(values, 10);
    ASSERT_FALSE(results[5].ok());
    EXPECT_EQ(results[5].error().kind, ErrorKind::kTimeout);
    EXPECT_EQ(results[5].error().message,
              fmt::format("timeout: no answer to CLTOCS_HDD_LIST from {} within 1 s",
                          PeerOf(targets[5])));
    EXPECT_GT(seconds, 0.95);  // the silent one had its whole clock
    EXPECT_LT(seconds, std::chrono::duration<double>(kOwnClock + kSlack).count());
}

// ---- deadlines and slots -----------------------------------------------------------------

// The run deadline ends everything, open or waiting for a slot, well before per_target.
TEST(MultiExchange, RunDeadlineEndsEveryPendingTarget) {
    FakeChunkserver silent(AfterRequest([](FakeConnection& c) { c.WaitForClose(); }));
    FakeChunkserver good(Answers());
    const std::vector<ExchangeTarget> targets = {silent.target(), good.target(), good.target()};

    const auto start = std::chrono::steady_clock::now();
    const auto results = ExchangeAll(targets, HddList(), {10s, 1}, Deadline::After(300ms));
    const double seconds = SecondsSince(start);

    EXPECT_GT(seconds, 0.28);
    EXPECT_LT(seconds, 0.3 + std::chrono::duration<double>(kSlack).count());
    ASSERT_EQ(results.size(), 3u);
    ASSERT_FALSE(results[0].ok());
    EXPECT_EQ(results[0].error().kind, ErrorKind::kTimeout);
    EXPECT_EQ(results[0].error().message,
              fmt::format("timeout: no answer to CLTOCS_HDD_LIST from {} within 0.3 s",
                          PeerOf(targets[0])));
    for (std::size_t i = 1; i < 3; ++i) {
        ASSERT_FALSE(results[i].ok());
        EXPECT_EQ(results[i].error().kind, ErrorKind::kTimeout);
        EXPECT_EQ(results[i].error().message,
                  fmt::format("timeout: CLTOCS_HDD_LIST was never sent to {}: the run's deadline "
                              "of 0.3 s passed while it waited for one of the 1 connection slots",
                              PeerOf(targets[i])));
    }
}

// With one slot, targets go one after another, and each one's clock starts when it starts:
// the good server after a silent one still gets its answer in.
TEST(MultiExchange, EachTargetsClockStartsWhenItsConnectStarts) {
    FakeChunkserver silent1(AfterRequest([](FakeConnection& c) { c.WaitForClose(); }));
    FakeChunkserver good1(Answers());
    FakeChunkserver silent2(AfterRequest([](FakeConnection& c) { c.WaitForClose(); }));
    FakeChunkserver good2(Answers());
    const std::vector<ExchangeTarget> targets = {silent1.target(), good1.target(), silent2.target(),
                                                 good2.target()};

    const auto start = std::chrono::steady_clock::now();
    const auto results = ExchangeAll(targets, HddList(), {300ms, 1}, Deadline::After(kRunBudget));
    const double seconds = SecondsSince(start);

    EXPECT_FALSE(results[0].ok());
    ASSERT_TRUE(results[1].ok()) << results[1].error().message;
    EXPECT_FALSE(results[2].ok());
    ASSERT_TRUE(results[3].ok()) << results[3].error().message;
    EXPECT_EQ(results[0].error().kind, ErrorKind::kTimeout);
    EXPECT_EQ(results[2].error().kind, ErrorKind::kTimeout);
    EXPECT_GT(seconds, 0.58);  // two silent targets in turn, 300 ms each
    EXPECT_LT(seconds, 0.6 + std::chrono::duration<double>(kSlack).count());
}

TEST(MultiExchange, MaxOpenZeroIsTakenAsOne) {
    FakeChunkserver good(Answers());
    const std::vector<ExchangeTarget> targets(3, good.target());
    const auto results = ExchangeAll(targets, HddList(), {kPerTarget, 0}, Deadline::After(5s));
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(MultiExchange, NoTargetsNoResults) {
    const auto results = ExchangeAll({}, HddList(), {kPerTarget, 64}, Deadline::After(5s));
    EXPECT_TRUE(results.empty());
}

// ---- addresses ---------------------------------------------------------------------------

// Names are never looked up (a hanging DNS server would stall every target): a name is an
// error for that target, at once, and control characters do not break the line.
TEST(MultiExchange, NonNumericHostsAreErrorsNotLookups) {
    FakeChunkserver good(Answers());
    const std::vector<ExchangeTarget> targets = {
        {"localhost", good.port()}, {"cs1.example\nX", 9422}, {"", 9422}, good.target()};

    const auto start = std::chrono::steady_clock::now();
    const auto results = ExchangeAll(targets, HddList(), {kPerTarget, 64}, Deadline::After(5s));
    EXPECT_LT(SecondsSince(start), 0.25);

    ASSERT_EQ(results.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) {
        ASSERT_FALSE(results[i].ok());
        EXPECT_EQ(results[i].error().kind, ErrorKind::kInvalidArgument);
        EXPECT_THAT(results[i].error().message, Not(HasSubstr("\n")));
        EXPECT_THAT(results[i].error().message, HasSubstr("is not a numeric IPv4/IPv6 address"));
    }
    EXPECT_EQ(results[0].error().message,
              fmt::format("cannot ask localhost:{}: \"localhost\" is not a numeric IPv4/IPv6 "
                          "address (names are not resolved here)",
                          good.port()));
    EXPECT_THAT(results[1].error().message, StartsWith("cannot ask cs1.example?X:9422: "));
    EXPECT_TRUE(results[3].ok()) << results[3].error().message;
}

// IPv6 peers are named "[addr]:port". Whether ::1 exists here or not, the outcome is an error
// (nothing listens on IPv6) that names the target that way.
TEST(MultiExchange, Ipv6TargetsAreNamedInBrackets) {
    RefusingPort refusing;
    const std::vector<ExchangeTarget> targets = {{"::1", refusing.port()}};
    const auto results = ExchangeAll(targets, HddList(), {kPerTarget, 64}, Deadline::After(5s));
    ASSERT_FALSE(results[0].ok());
    EXPECT_THAT(results[0].error().message, HasSubstr(fmt::format("[::1]:{}", refusing.port())));
}

// ---- descriptors -------------------------------------------------------------------------

// Out of descriptors with some of its own sockets open, ExchangeAll waits for one of them to
// close instead of failing the rest: run in a child whose RLIMIT_NOFILE leaves room for only
// three sockets.
TEST(MultiExchange, OutOfDescriptorsTargetsWaitForAFreeSocket) {
    constexpr int kTargets = 12;
    std::vector<std::unique_ptr<FakeChunkserver>> servers;
    std::vector<ExchangeTarget> targets;
    for (int i = 0; i < kTargets; ++i) {
        servers.push_back(std::make_unique<FakeChunkserver>(Answers()));
        targets.push_back(servers.back()->target());
    }
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The child's only thread: the fakes keep serving from the parent's threads on the
        // listening sockets the child inherited.
        const rlim_t limit = static_cast<rlim_t>(OpenDescriptors() + 3);
        rlimit rl{limit, limit};
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(100);
        const auto results = ExchangeAll(targets, HddList(), {2s, 64}, Deadline::After(kRunBudget));
        int values = 0;
        for (const auto& r : results) {
            if (r.ok() && r->payload == kAnswer) ++values;
        }
        _exit(values);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), kTargets) << "targets answered in the child";
}

}  // namespace
}  // namespace mfsmon::transport::test
