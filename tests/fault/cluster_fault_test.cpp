// The cluster checks (`mfsmon check disks|chunkservers|health`) end to end: the real binary
// against a fake 3.0.117 master on loopback that answers with recorded real answers and a
// crafted chunkserver list pointing at fake chunkservers, which answer CLTOCS_HDD_LIST with
// byte-exact entries or misbehave.
//
//   1. one chunkserver fails in every way a peer can, beside three good ones: one finding for
//      it, the others rated, within the run's deadline;
//   2. disk states from crafted entries;
//   3. chunkserver list states;
//   4. a master that drops the connection: one reconnect, what was unanswered re-sent;
//   5. JSON output for a chunkserver fault.
//
// Set MFSMON_CLUSTER_FAULT_TIMES=FILE to append one Markdown row per run of the binary: case,
// exit code, seconds, first output line.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_cluster.h"

namespace mfsmon::fault {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

// A run must end within its -t plus this (sanitizers slow start-up and every step).
// --cs-timeout 0.5 with a silent server: done in about 0.5 s, well before -t 2.
#ifdef MFSMON_SANITIZED
constexpr double kSlackSeconds = 3.0;
constexpr double kHalfSecondRunMax = 1.5;
#else
constexpr double kSlackSeconds = 1.0;
constexpr double kHalfSecondRunMax = 1.0;
#endif

constexpr std::uint32_t kCservList = 500, kInfo = 510, kFsTest = 512, kChunksTest = 514,
                        kMatrix = 516, kMlog = 522, kSclass = 542, kMissing = 544;

// The recorded disk of chunkserver N: 17384275968 of 102745280512 bytes used (16.9%).
constexpr std::uint64_t kRecordedUsed = 17384275968ull;
constexpr std::uint64_t kRecordedTotal = 102745280512ull;

std::string TestName() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return fmt::format("{}.{}", info->test_suite_name(), info->name());
}

void Replace(std::string& s, const std::string& from, const std::string& to);

// Prints (and with MFSMON_CLUSTER_FAULT_TIMES appends) the measured run.
void Note(const Outcome& o) {
    std::printf("[   TIME   ] %s: exit %d in %.3f s\n", TestName().c_str(), o.exit_code, o.seconds);
    if (const char* file = std::getenv("MFSMON_CLUSTER_FAULT_TIMES")) {
        std::ofstream out(file, std::ios::app);
        // The first line without its perfdata; '|' escaped for the table.
        std::string first = o.out.substr(0, o.out.find('\n'));
        first = first.substr(0, first.find(" | "));
        Replace(first, "|", "\\|");
        out << fmt::format("| {} | {} | {:.3f} | {} |\n", TestName(), o.exit_code, o.seconds,
                           first);
    }
}

std::string Hostport(std::uint16_t port) {
    return fmt::format("127.0.0.1:{}", port);
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Every finding line of the long output ("[STATE] code: text").
std::vector<std::string> FindingLines(const std::string& out) {
    std::vector<std::string> found;
    for (const auto& l : Lines(out)) {
        if (!l.empty() && l[0] == '[') found.push_back(l);
    }
    return found;
}

// Finding lines of every state but OK.
std::vector<std::string> AlertingLines(const std::string& out) {
    std::vector<std::string> found;
    for (const auto& l : FindingLines(out)) {
        if (l.rfind("[OK", 0) != 0) found.push_back(l);
    }
    return found;
}

std::string TimeText(std::uint32_t t) {
    const std::time_t tt = t;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos;
         at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

// What every run must be: done in time, nothing on stderr (sanitizer reports land there),
// nothing rejected by the fake master.
void ExpectCleanRun(const Outcome& o, double timeout_s, const ScriptedMaster& master) {
    Note(o);
    EXPECT_FALSE(o.killed) << "hung past the watchdog";
    EXPECT_LT(o.seconds, timeout_s + kSlackSeconds) << o.out;
    EXPECT_THAT(o.err, IsEmpty());
    EXPECT_THAT(master.Mismatches(), IsEmpty()) << "mfsmon sent a request mfscli does not";
}

// The chunkserver list entry N (1..6) of the recording, as the fake cluster lists it.
CservEntry RecordedEntry(int csid) {
    for (const auto& e : RecordedCservList()) {
        if (e.csid == csid) return e;
    }
    throw std::runtime_error("no such chunkserver in the recording");
}

// "127.0.0.1:PORT:/mnt/mfslab3/run/csN/hdd/" as mfsmon names a disk.
std::string DiskName(std::uint16_t port, int n) {
    return fmt::format("{}:/mnt/mfslab3/run/cs{}/hdd/", Hostport(port), n);
}

// ---- the fake itself -----------------------------------------------------------------------

TEST(FakeCluster, RecordedEntriesRoundTripByteExact) {
    for (int n = 1; n <= 6; ++n) {
        const Bytes& recorded = RecordedHddAnswer(n);
        const auto disks = DecodeHddList(PayloadOf(recorded));
        ASSERT_THAT(disks, SizeIs(1));
        EXPECT_EQ(disks[0].path, fmt::format("/mnt/mfslab3/run/cs{}/hdd/", n));
        EXPECT_EQ(HddAnswer(disks), recorded) << "chunkserver " << n;
    }
    const Bytes cserv = ReadFixture("3.0.117/healthy/SCS/04-master-ans-501.bin");
    EXPECT_EQ(Frame(501, EncodeCservList(RecordedCservList())), cserv);
}

// ---- 1. one chunkserver fails, three answer ----------------------------------------------

struct ChunkserverFault {
    const char* name;
    // The faulty server's script, given its good answer; null: its listed port refuses.
    std::function<FakeMaster::Script(const Bytes& good)> script;
    const char* expected;  // in the disks.chunkserver_unreachable finding
};

void PrintTo(const ChunkserverFault& c, std::ostream* os) {
    *os << c.name;
}

std::vector<ChunkserverFault> ChunkserverFaults() {
    auto on_request = [](std::function<void(FakeConnection&, const Bytes&)> act) {
        return [act](const Bytes& good) {
            return OnHddRequest([act, good](FakeConnection& c) { act(c, good); });
        };
    };
    return {
        {"refuses (listed port closed)", nullptr, "refused the connection"},
        {"accepts and never answers",
         on_request([](FakeConnection& c, const Bytes&) { c.WaitForClose(); }),
         "timeout: no answer to CLTOCS_HDD_LIST from {server} within 1 s"},
        {"one byte every 300 ms",
         on_request([](FakeConnection& c, const Bytes& good) { c.WriteSlowly(good, 300ms); }),
         "timeout: no answer to CLTOCS_HDD_LIST from {server} within 1 s"},
        {"64 KiB of garbage", on_request([](FakeConnection& c, const Bytes&) {
             std::mt19937 rng(12345);
             Bytes junk(64 * 1024);
             for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
             c.Write(junk);
             c.WaitForClose();
         }),
         "unexpected packet type"},
        {"length 0xFFFFFFFF", on_request([](FakeConnection& c, const Bytes&) {
             c.Write(Header(601, 0xFFFFFFFFu));
             c.WaitForClose();
         }),
         "answer to CLTOCS_HDD_LIST from {server} claims 4294967295 bytes"},
        {"close mid-header", on_request([](FakeConnection& c, const Bytes& good) {
             c.Write(Bytes(good.begin(), good.begin() + 5));
         }),
         "{server} closed the connection in the middle of the header of the answer to "
         "CLTOCS_HDD_LIST (5 of 8 bytes)"},
        {"close mid-entry", on_request([](FakeConnection& c, const Bytes& good) {
             c.Write(Bytes(good.begin(), good.begin() + 8 + 126));
         }),
         "{server} closed the connection in the middle of the answer to CLTOCS_HDD_LIST (126 of "
         "253 bytes)"},
        {"error packet", on_request([](FakeConnection& c, const Bytes&) { c.Write(Frame(1, {})); }),
         "{server} answered CLTOCS_HDD_LIST with ANTOAN_UNKNOWN_COMMAND"},
        {"wrong type", on_request([](FakeConnection& c, const Bytes& good) {
             c.Write(Frame(999, PayloadOf(good)));
         }),
         "unexpected packet type 999 (length 253) from {server} in answer to CLTOCS_HDD_LIST"},
        {"entrysize disagrees with plen",
         [](const Bytes& good) {
             auto disks = DecodeHddList(PayloadOf(good));
             disks[0].path_length = static_cast<std::uint8_t>(disks[0].path.size() - 1);
             return AnswerHdd(HddAnswer(disks));
         },
         "entry size 251 is neither 250 (stats with fsync) nor 202 "
         "(without fsync) for a path of 24 bytes"},
    };
}

// Four listed servers, the faulty one second: chunkservers 1, 2 (faulty), 3, 4 of the recording.
struct FourServers {
    FakeCluster cluster;
    std::uint16_t bad = 0;
    std::vector<std::pair<std::uint16_t, int>> good;  // port, recorded chunkserver number

    explicit FourServers(const std::function<FakeMaster::Script(const Bytes&)>& fault) {
        for (int n = 1; n <= 4; ++n) {
            if (n == 2) {
                bad = cluster.AddChunkserver(fault ? fault(RecordedHddAnswer(n)) : nullptr,
                                             RecordedEntry(n));
            } else {
                good.emplace_back(
                    cluster.AddChunkserver(AnswerHdd(RecordedHddAnswer(n)), RecordedEntry(n)), n);
            }
        }
        cluster.StartMaster();
    }
    std::vector<std::string> Args(const char* check, std::vector<std::string> extra = {}) {
        std::vector<std::string> a = {"check", check, "-t",
                                      "2",     "-H",  Hostport(cluster.master().port())};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }
};

// The good servers' disks: listed, rated, summed.
void ExpectGoodDisksRated(const Outcome& o, const FourServers& s) {
    for (const auto& [port, n] : s.good) {
        EXPECT_THAT(o.out, HasSubstr(fmt::format("\n{}: {} chunks, 16.2 GiB of 95.7 GiB used "
                                                 "(16.9%), ok\n",
                                                 DiskName(port, n), RecordedEntry(n).chunks)))
            << "chunkserver " << n;
    }
    const std::size_t rated = s.good.size();
    EXPECT_THAT(o.out, HasSubstr(fmt::format(" used={}B;;;0;{}", rated * kRecordedUsed,
                                             rated * kRecordedTotal)));
    EXPECT_THAT(o.out, HasSubstr(fmt::format("| disks={};;;0 ", rated)));
}

TEST(ChunkserverFaults, ControlFourGoodServers) {
    FourServers s([](const Bytes& good) { return AnswerHdd(good); });
    const Outcome o = RunMfsmon(s.Args("disks"));
    ExpectCleanRun(o, 2, s.cluster.master());
    EXPECT_EQ(o.exit_code, 0) << o.out;
    EXPECT_THAT(o.out, StartsWith("MOOSEFS DISKS OK - 4 disks on 4 chunkservers OK | "));
    EXPECT_THAT(FindingLines(o.out), IsEmpty());
    EXPECT_THAT(o.out, HasSubstr(fmt::format("\n{}: 63 chunks, 16.2 GiB of 95.7 GiB used (16.9%), "
                                             "ok\n",
                                             DiskName(s.bad, 2))));
    EXPECT_THAT(o.out, HasSubstr(" unreachable_chunkservers=0;;;0 "));
}

class ChunkserverFaultTable : public ::testing::TestWithParam<ChunkserverFault> {};

TEST_P(ChunkserverFaultTable, OneFindingOthersRatedWithinDeadline) {
    const ChunkserverFault& c = GetParam();
    FourServers s(c.script);
    const Outcome o = RunMfsmon(s.Args("disks"));
    ExpectCleanRun(o, 2, s.cluster.master());
    EXPECT_EQ(o.exit_code, 2) << o.out;

    std::string expected = c.expected;
    Replace(expected, "{server}", Hostport(s.bad));
    const auto findings = FindingTexts(o.out, "disks.chunkserver_unreachable");
    ASSERT_THAT(findings, SizeIs(1)) << o.out;
    EXPECT_THAT(findings[0],
                AllOf(StartsWith(fmt::format("disks of chunkserver {} unknown: ", Hostport(s.bad))),
                      HasSubstr(expected)));
    EXPECT_EQ(FindingSeverity(o.out, "disks.chunkserver_unreachable"), "CRITICAL");
    EXPECT_THAT(FindingLines(o.out), SizeIs(1)) << "no other finding:\n" << o.out;
    EXPECT_THAT(o.out, StartsWith(fmt::format("MOOSEFS DISKS CRITICAL - disks of chunkserver {} "
                                              "unknown: ",
                                              Hostport(s.bad))));
    // The plugin's first line holds no newline from the peer's bytes.
    EXPECT_THAT(Lines(o.out)[0], HasSubstr(" | "));
    ExpectGoodDisksRated(o, s);
    EXPECT_THAT(o.out, HasSubstr("3 disks on 4 chunkservers: 0 invalid, 0 damaged, 0 marked for "
                                 "removal (0 ready), 0 with recent I/O errors, 0 scanning; 1 "
                                 "chunkservers did not answer, 0 disconnected not asked"));
    EXPECT_THAT(o.out, HasSubstr(" unreachable_chunkservers=1;;;0 "));
}

INSTANTIATE_TEST_SUITE_P(All, ChunkserverFaultTable, ::testing::ValuesIn(ChunkserverFaults()),
                         [](const ::testing::TestParamInfo<ChunkserverFault>& info) {
                             std::string n = fmt::format("{}_{}", info.index, info.param.name);
                             for (char& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return n;
                         });

TEST(ChunkserverFaults, CsTimeoutBoundsASilentServer) {
    FourServers s(
        [](const Bytes&) { return OnHddRequest([](FakeConnection& c) { c.WaitForClose(); }); });
    const Outcome o = RunMfsmon(s.Args("disks", {"--cs-timeout", "0.5"}));
    ExpectCleanRun(o, 2, s.cluster.master());
    EXPECT_EQ(o.exit_code, 2) << o.out;
    // About 0.5 s: the server's own budget, not -t 2 nor the default half of it (1 s).
    EXPECT_GE(o.seconds, 0.5);
    EXPECT_LT(o.seconds, kHalfSecondRunMax) << o.out;
    const auto findings = FindingTexts(o.out, "disks.chunkserver_unreachable");
    ASSERT_THAT(findings, SizeIs(1)) << o.out;
    EXPECT_THAT(findings[0],
                HasSubstr(fmt::format("timeout: no answer to CLTOCS_HDD_LIST from {} within 0.5 s",
                                      Hostport(s.bad))));
    ExpectGoodDisksRated(o, s);
}

// ---- 2. disk states ------------------------------------------------------------------------

struct DiskState {
    const char* name;
    // Changes chunkserver 1's recorded disk (and its list entry); `now` is unix time.
    std::function<void(DiskEntry&, CservEntry&, std::uint32_t now)> mutate;
    int exit_code;
    const char* code;      // the finding expected, or "" for none
    const char* severity;  // its state
    // In its text; "{disk}" is the disk's name, "{errtime}" the error time as UTC text.
    std::vector<std::string> texts;
    std::vector<const char*> absent;     // codes that must not appear
    std::vector<std::string> long_text;  // anywhere in the output (same placeholders)
    std::vector<std::string> not_in_output = {};
};

void PrintTo(const DiskState& c, std::ostream* os) {
    *os << c.name;
}

constexpr std::uint64_t kErrChunk = 0x00000000001A2B3Cull;

std::vector<DiskState> DiskStates() {
    const std::vector<const char*> all = {"disks.invalid",
                                          "disks.damaged",
                                          "disks.io_error",
                                          "disks.scanning",
                                          "disks.nearly_full",
                                          "disks.full",
                                          "disks.marked_for_removal",
                                          "disks.ready_for_removal",
                                          "disks.chunkserver_unreachable"};
    auto all_but = [&](const char* code) {
        std::vector<const char*> out;
        for (const char* c : all) {
            if (std::string(c) != code) out.push_back(c);
        }
        return out;
    };
    return {
        {"as recorded",
         [](DiskEntry&, CservEntry&, std::uint32_t) {},
         0,
         "",
         "",
         {},
         all,
         {"{disk}: 66 chunks, 16.2 GiB of 95.7 GiB used (16.9%), ok\n"}},
        {"damaged (flags 0x02)",
         [](DiskEntry& d, CservEntry&, std::uint32_t) { d.flags = 0x02; },
         2,
         "disks.damaged",
         "CRITICAL",
         {"disk {disk} damaged"},
         all_but("disks.damaged"),
         {"{disk}: 66 chunks, 16.2 GiB of 95.7 GiB used (16.9%), damaged\n"}},
        {"invalid (flags 0x0A, zeros)",
         [](DiskEntry& d, CservEntry&, std::uint32_t) {
             d.flags = 0x0A;
             d.used = d.total = d.chunks = 0;
             std::fill(d.stats.begin(), d.stats.end(), 0);
         },
         2,
         "disks.invalid",
         "CRITICAL",
         {"disk {disk} invalid"},
         all_but("disks.invalid"),
         {"{disk}: 0 chunks, 0 B of 0 B used (n/a), invalid\n"}},
        {"I/O error an hour ago",
         [](DiskEntry& d, CservEntry&, std::uint32_t now) {
             d.error_chunk_id = kErrChunk;
             d.error_time = now - 3600;
         },
         1,
         "disks.io_error",
         "WARNING",
         {"disk {disk}: I/O error on chunk 00000000001A2B3C at {errtime} (60 min ago)"},
         all_but("disks.io_error"),
         {"{disk}: 66 chunks, 16.2 GiB of 95.7 GiB used (16.9%), last error {errtime}\n"}},
        {"I/O error three days ago",
         [](DiskEntry& d, CservEntry&, std::uint32_t now) {
             d.error_chunk_id = kErrChunk;
             d.error_time = now - 3 * 86400;
         },
         0,
         "",
         "",
         {},
         all,
         {"{disk}: 66 chunks, 16.2 GiB of 95.7 GiB used (16.9%), last error {errtime}\n"}},
        {"scanning 42%",
         [](DiskEntry& d, CservEntry&, std::uint32_t) {
             d.flags = 0x04;
             d.used = 42;
             d.total = 0;
         },
         0,
         "disks.scanning",
         "OK",
         {"disk {disk} scanning (42%)"},
         all_but("disks.scanning"),
         {"{disk}: 66 chunks, scanning 42%\n"},
         // While scanning `used` is a percent, never bytes.
         {"42 B", "(n/a)"}},
        {"95% used",
         [](DiskEntry& d, CservEntry&, std::uint32_t) { d.used = d.total / 100 * 95; },
         1,
         "disks.nearly_full",
         "WARNING",
         {"disk {disk} 95.0% used (90.9 GiB of 95.7 GiB)"},
         all_but("disks.nearly_full"),
         {}},
        {"99.5% used",
         [](DiskEntry& d, CservEntry&, std::uint32_t) { d.used = d.total / 1000 * 995; },
         2,
         "disks.full",
         "CRITICAL",
         {"disk {disk} 99.5% used (95.2 GiB of 95.7 GiB)"},
         all_but("disks.full"),
         {}},
        {"marked for removal, mfrstatus 1",
         [](DiskEntry& d, CservEntry& cs, std::uint32_t) {
             d.flags = 0x01;
             cs.mfr_status = 1;
         },
         1,
         "disks.marked_for_removal",
         "WARNING",
         {"disk {disk} marked for removal, not ready (in progress)"},
         all_but("disks.marked_for_removal"),
         {"marked for removal (in progress)\n"}},
        {"marked for removal, mfrstatus 2",
         [](DiskEntry& d, CservEntry& cs, std::uint32_t) {
             d.flags = 0x01;
             cs.mfr_status = 2;
         },
         0,
         "disks.ready_for_removal",
         "OK",
         {"disk {disk} marked for removal: ready, safe to remove"},
         all_but("disks.ready_for_removal"),
         {"marked for removal (ready)\n"}},
    };
}

class DiskStateTable : public ::testing::TestWithParam<DiskState> {};

TEST_P(DiskStateTable, RatedFromByteExactEntries) {
    const DiskState& c = GetParam();
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    auto disks = DecodeHddList(PayloadOf(RecordedHddAnswer(1)));
    CservEntry entry = RecordedEntry(1);
    c.mutate(disks[0], entry, now);

    FakeCluster cluster;
    const std::uint16_t port = cluster.AddChunkserver(AnswerHdd(HddAnswer(disks)), entry);
    cluster.AddChunkserver(AnswerHdd(RecordedHddAnswer(2)), RecordedEntry(2));
    cluster.StartMaster();
    const Outcome o =
        RunMfsmon({"check", "disks", "-t", "2", "-H", Hostport(cluster.master().port())});
    ExpectCleanRun(o, 2, cluster.master());
    EXPECT_EQ(o.exit_code, c.exit_code) << o.out;

    auto expand = [&](std::string s) {
        Replace(s, "{disk}", DiskName(port, 1));
        Replace(s, "{errtime}", TimeText(disks[0].error_time));
        return s;
    };
    if (*c.code != '\0') {
        const auto texts = FindingTexts(o.out, c.code);
        ASSERT_THAT(texts, SizeIs(1)) << o.out;
        EXPECT_EQ(FindingSeverity(o.out, c.code), c.severity);
        for (const auto& t : c.texts) EXPECT_THAT(texts[0], HasSubstr(expand(t)));
    }
    for (const char* code : c.absent) {
        EXPECT_THAT(FindingTexts(o.out, code), IsEmpty()) << code << " in\n" << o.out;
    }
    for (const auto& t : c.long_text) EXPECT_THAT(o.out, HasSubstr(expand(t)));
    for (const auto& t : c.not_in_output) EXPECT_THAT(o.out, Not(HasSubstr(expand(t))));
    // The healthy server beside it is untouched.
    EXPECT_THAT(o.out, HasSubstr(fmt::format("{}: 63 chunks, 16.2 GiB of 95.7 GiB used (16.9%), "
                                             "ok\n",
                                             DiskName(cluster.entries()[1].port, 2))));
}

INSTANTIATE_TEST_SUITE_P(All, DiskStateTable, ::testing::ValuesIn(DiskStates()),
                         [](const ::testing::TestParamInfo<DiskState>& info) {
                             std::string n = fmt::format("{}_{}", info.index, info.param.name);
                             for (char& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return n;
                         });

// ---- 3. chunkserver list states --------------------------------------------------------------

// The recorded list: [0] 9424 id 3, [1] 9427 id 6, [2] 9422 id 1, [3] 9426 id 5, [4] 9425 id 4,
// [5] 9423 id 2; every server 3.0.117 and connected. `check chunkservers` asks the master only.
struct ListState {
    const char* name;
    std::function<void(std::vector<CservEntry>&)> mutate;
    std::vector<std::string> extra_args;
    int exit_code;
    const char* code;  // or "" for none
    const char* severity;
    std::size_t count;                       // findings with that code
    std::vector<std::string> texts;          // in the (first) finding's text
    std::vector<const char*> absent;         // codes that must not appear
    std::vector<std::string> not_in_output;  // text that must appear nowhere
};

void PrintTo(const ListState& c, std::ostream* os) {
    *os << c.name;
}

std::vector<ListState> ListStates() {
    const std::vector<const char*> versions = {"chunkservers.version_older",
                                               "chunkservers.version_newer",
                                               "chunkservers.edition_mismatch"};
    auto plus = [](std::vector<const char*> a, std::vector<const char*> b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    return {
        {"as recorded",
         [](std::vector<CservEntry>&) {},
         {},
         0,
         "",
         "",
         0,
         {},
         plus(versions,
              {"chunkservers.disconnected", "chunkservers.disconnected_in_maintenance",
               "chunkservers.maintenance", "chunkservers.overloaded", "chunkservers.too_few"}),
         {}},
        {"disconnected (flags 0x01)",
         [](std::vector<CservEntry>& l) { l[2].Disconnect(0x01); },
         {},
         2,
         "chunkservers.disconnected",
         "CRITICAL",
         1,
         {"chunkserver 198.18.0.10:9422 (id 1) disconnected"},
         plus(versions, {"chunkservers.disconnected_in_maintenance"}),
         {}},
        {"disconnected in maintenance (flags 0x07)",
         [](std::vector<CservEntry>& l) { l[2].Disconnect(0x07); },
         {},
         1,
         "chunkservers.disconnected_in_maintenance",
         "WARNING",
         1,
         {"chunkserver 198.18.0.10:9422 (id 1) disconnected in maintenance (temporary)"},
         plus(versions, {"chunkservers.disconnected"}),
         {}},
        {"maintenance, connected (flags 0x02)",
         [](std::vector<CservEntry>& l) { l[2].flags = 0x02; },
         {},
         1,
         "chunkservers.maintenance",
         "WARNING",
         1,
         {"chunkserver 198.18.0.10:9422 in maintenance (permanent)"},
         plus(versions, {"chunkservers.disconnected", "chunkservers.disconnected_in_maintenance"}),
         {}},
        {"overloaded (gracetime 0xC0000000)",
         [](std::vector<CservEntry>& l) {
             l[2].gracetime = 0xC0000000u;
             l[2].load = 57;
         },
         {},
         1,
         "chunkservers.overloaded",
         "WARNING",
         1,
         {"chunkserver 198.18.0.10:9422 overloaded (load 57)"},
         versions,
         {}},
        {"older than the master (3.0.100)",
         [](std::vector<CservEntry>& l) { l[2].vmin2 = 200; },
         {},
         1,
         "chunkservers.version_older",
         "WARNING",
         1,
         {"chunkserver 198.18.0.10:9422 runs 3.0.100, older than the master's 3.0.117"},
         {"chunkservers.version_newer", "chunkservers.edition_mismatch"},
         {}},
        {"older one beside a disconnected one (0.0.0)",
         [](std::vector<CservEntry>& l) {
             l[2].vmin2 = 200;
             l[0].Disconnect(0x01);
         },
         {},
         2,
         "chunkservers.version_older",
         "WARNING",
         1,
         {"chunkserver 198.18.0.10:9422 runs 3.0.100"},
         {"chunkservers.version_newer", "chunkservers.edition_mismatch"},
         {"198.18.0.10:9424 runs", "0.0.0, older"}},
        {"--expect 5 with 4 connected",
         [](std::vector<CservEntry>& l) { l.resize(4); },
         {"--expect", "5"},
         2,
         "chunkservers.too_few",
         "CRITICAL",
         1,
         {"4 chunkservers connected, expected at least 5"},
         {},
         {}},
        {"--expect 4 with 4 connected",
         [](std::vector<CservEntry>& l) { l.resize(4); },
         {"--expect", "4"},
         0,
         "",
         "",
         0,
         {},
         {"chunkservers.too_few"},
         {}},
    };
}

class ChunkserverListTable : public ::testing::TestWithParam<ListState> {};

TEST_P(ChunkserverListTable, Rated) {
    const ListState& c = GetParam();
    auto list = RecordedCservList();
    c.mutate(list);
    auto table = RecordedMasterExchanges();
    table[kCservList].answer = Frame(501, EncodeCservList(list));
    ScriptedMaster master(std::move(table));
    std::vector<std::string> args = {"check", "chunkservers", "-t",
                                     "2",     "-H",           Hostport(master.port())};
    args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
    const Outcome o = RunMfsmon(args);
    ExpectCleanRun(o, 2, master);
    EXPECT_EQ(o.exit_code, c.exit_code) << o.out;
    EXPECT_THAT(master.Requests(), ElementsAre(ElementsAre(kInfo, kCservList)));
    if (*c.code != '\0') {
        const auto texts = FindingTexts(o.out, c.code);
        ASSERT_THAT(texts, SizeIs(c.count)) << o.out;
        EXPECT_EQ(FindingSeverity(o.out, c.code), c.severity);
        for (const auto& t : c.texts) EXPECT_THAT(texts[0], HasSubstr(t));
    }
    for (const char* code : c.absent) {
        EXPECT_THAT(FindingTexts(o.out, code), IsEmpty()) << code << " in\n" << o.out;
    }
    for (const auto& t : c.not_in_output) EXPECT_THAT(o.out, Not(HasSubstr(t)));
    if (c.exit_code == 0) {
        EXPECT_THAT(o.out, StartsWith(fmt::format("MOOSEFS CHUNKSERVERS OK - {} chunkservers "
                                                  "connected, 16.9% used | ",
                                                  list.size())));
    }
}

INSTANTIATE_TEST_SUITE_P(All, ChunkserverListTable, ::testing::ValuesIn(ListStates()),
                         [](const ::testing::TestParamInfo<ListState>& info) {
                             std::string n = fmt::format("{}_{}", info.index, info.param.name);
                             for (char& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return n;
                         });

TEST(ChunkserverList, TwoThousandServersStayWithin8KiB) {
    const CservEntry model = RecordedEntry(1);
    std::vector<CservEntry> list;
    for (int i = 0; i < 2000; ++i) {
        CservEntry e = model;
        e.ip = 0xC6120000u + static_cast<std::uint32_t>(i / 200) * 256 + 10;  // 198.18.N.10
        e.port = static_cast<std::uint16_t>(9422 + i % 200);
        e.csid = static_cast<std::uint16_t>(i + 1);
        list.push_back(e);
    }
    // The one worth seeing comes last in the list.
    list.back().Disconnect(0x01);
    auto table = RecordedMasterExchanges();
    table[kCservList].answer = Frame(501, EncodeCservList(list));
    ScriptedMaster master(std::move(table));
    const Outcome o =
        RunMfsmon({"check", "chunkservers", "-t", "2", "-H", Hostport(master.port())});
    ExpectCleanRun(o, 2, master);
    EXPECT_EQ(o.exit_code, 2) << o.out.substr(0, 2000);
    EXPECT_LE(o.out.size(), 8192u);
    EXPECT_THAT(o.out, StartsWith("MOOSEFS CHUNKSERVERS CRITICAL - chunkserver "
                                  "198.18.9.10:9621 (id 2000) disconnected | "));
    EXPECT_THAT(FindingTexts(o.out, "chunkservers.disconnected"), SizeIs(1));
    EXPECT_THAT(o.out, HasSubstr("2000 chunkservers: 1999 connected, 1 disconnected"));
    // It says what it left out: most of the 2000 per-server lines and their perfdata.
    const auto lines = Lines(o.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_THAT(lines.back(), StartsWith("("));
    EXPECT_THAT(lines.back(), HasSubstr("long-output lines and 5997 per-item perfdata values "
                                        "left out to stay within 8192 bytes)"));
    EXPECT_THAT(lines[0], HasSubstr(" connected=1999;;;0 disconnected=1;;;0 "));
}

// ---- 4. the master drops the connection ------------------------------------------------------

// Three good chunkservers (1..3 of the recording) behind a master with `policy`.
struct HealthCluster {
    FakeCluster cluster;
    explicit HealthCluster(ScriptedMaster::Policy policy) {
        for (int n = 1; n <= 3; ++n) {
            cluster.AddChunkserver(AnswerHdd(RecordedHddAnswer(n)), RecordedEntry(n));
        }
        cluster.StartMaster(RecordedMasterExchanges(), std::move(policy));
    }
    Outcome Run() {
        return RunMfsmon({"check", "health", "-t", "2", "-H", Hostport(cluster.master().port())});
    }
};

TEST(MasterSessionRecovery, ControlAllAnswered) {
    HealthCluster h({});
    const Outcome o = h.Run();
    ExpectCleanRun(o, 2, h.cluster.master());
    EXPECT_EQ(o.exit_code, 0) << o.out;
    EXPECT_THAT(o.out, StartsWith("MOOSEFS HEALTH OK - no problems found | "));
    EXPECT_THAT(h.cluster.master().Requests(),
                ElementsAre(ElementsAre(kInfo, kMatrix, kMlog, kChunksTest, kCservList, kSclass,
                                        kFsTest, kMissing)));
}

TEST(MasterSessionRecovery, ClosedOnSclassInfoOnlyThatIsUnreadable) {
    // As a real master does with a request form it rejects: it closes at once, on the first
    // connection only.
    HealthCluster h([](int connection, std::uint32_t type) {
        return connection == 1 && type == kSclass ? ScriptedMaster::Action::kClose
                                                  : ScriptedMaster::Action::kAnswer;
    });
    const Outcome o = h.Run();
    ExpectCleanRun(o, 2, h.cluster.master());
    EXPECT_EQ(o.exit_code, 3) << o.out;
    // One reconnect; what was unanswered after SCLASS_INFO is sent again, SCLASS_INFO not.
    EXPECT_THAT(h.cluster.master().Requests(),
                ElementsAre(ElementsAre(kInfo, kMatrix, kMlog, kChunksTest, kCservList, kSclass),
                            ElementsAre(kFsTest, kMissing)));

    const auto unreadable = FindingTexts(o.out, "mfsmon.unreadable");
    ASSERT_THAT(unreadable, SizeIs(1)) << o.out;
    EXPECT_THAT(unreadable[0],
                AllOf(StartsWith("the storage classes (SCLASS_INFO) could not be read: "),
                      HasSubstr("CLTOMA_SCLASS_INFO")));
    EXPECT_EQ(FindingSeverity(o.out, "mfsmon.unreadable"), "UNKNOWN");
    EXPECT_THAT(AlertingLines(o.out), SizeIs(1)) << "nothing else is wrong:\n" << o.out;
    EXPECT_THAT(o.out, StartsWith("MOOSEFS HEALTH UNKNOWN - the storage classes (SCLASS_INFO) "
                                  "could not be read: "));
    // Everything else is rated: matrix, chunkservers, disks, metaloggers from the first
    // connection; the filesystem check info and missing list from the second.
    EXPECT_THAT(o.out, HasSubstr("3 chunkservers: 3 connected, 0 disconnected"));
    EXPECT_THAT(o.out, HasSubstr("3 disks on 3 chunkservers: 0 invalid"));
    EXPECT_THAT(o.out, HasSubstr(" master_metaloggers=1;;1:"));
    EXPECT_THAT(o.out, HasSubstr(" replicas_missing=0"));
    EXPECT_THAT(o.out, HasSubstr(" files_missing_files=0"));
    EXPECT_THAT(o.out, HasSubstr("\nfilesystem check loop"));
    EXPECT_THAT(o.out, Not(HasSubstr("classes_classes_in_use")));
}

TEST(MasterSessionRecovery, ClosedAfterInfoOnEveryConnection) {
    HealthCluster h([](int, std::uint32_t type) {
        return type == kInfo ? ScriptedMaster::Action::kAnswer : ScriptedMaster::Action::kClose;
    });
    const Outcome o = h.Run();
    ExpectCleanRun(o, 2, h.cluster.master());
    EXPECT_EQ(o.exit_code, 3) << o.out;
    EXPECT_THAT(o.out, StartsWith("MOOSEFS HEALTH UNKNOWN - "));
    // Reconnected once, not more: the first connection ended at CHUNKS_MATRIX, the second
    // (carrying everything unanswered, MLOG_LIST first) at MLOG_LIST.
    EXPECT_THAT(h.cluster.master().Requests(),
                ElementsAre(ElementsAre(kInfo, kMatrix), ElementsAre(kMlog)))
        << o.out;

    // Every part after INFO is its own finding, once, on one line.
    const auto unreadable = FindingTexts(o.out, "mfsmon.unreadable");
    auto part = [&](const std::string& what) {
        std::vector<std::string> found;
        for (const auto& t : unreadable) {
            if (t.rfind(what + " could not be read: ", 0) == 0) found.push_back(t);
        }
        EXPECT_THAT(found, SizeIs(1)) << what << " in\n" << o.out;
        return found.empty() ? std::string() : found[0];
    };
    // The two requests the master closed on say so themselves...
    EXPECT_THAT(part("the chunk matrix (CHUNKS_MATRIX)"),
                AllOf(HasSubstr("CLTOMA_CHUNKS_MATRIX"), Not(HasSubstr("not answered"))));
    EXPECT_THAT(part("the metalogger list (MLOG_LIST)"),
                AllOf(HasSubstr("CLTOMA_MLOG_LIST"), Not(HasSubstr("not answered"))));
    // ... the rest were not answered after the one reconnect, for that reason.
    for (const auto& [what, request] : std::vector<std::pair<std::string, std::string>>{
             {"the chunkserver list (CSERV_LIST)", "CLTOMA_CSERV_LIST"},
             {"the storage classes (SCLASS_INFO)", "CLTOMA_SCLASS_INFO"},
             {"the filesystem check info (FSTEST_INFO)", "CLTOMA_FSTEST_INFO"},
             {"the missing-chunks list", "CLTOMA_MISSING_CHUNKS"}}) {
        EXPECT_THAT(part(what),
                    AllOf(HasSubstr(request + " not answered: "), HasSubstr("CLTOMA_MLOG_LIST")));
    }
    EXPECT_THAT(part("the disk lists"), HasSubstr("the chunkserver list could not be read"));
    EXPECT_THAT(unreadable, SizeIs(7)) << o.out;
    EXPECT_THAT(AlertingLines(o.out), SizeIs(7)) << o.out;
    for (const auto& l : Lines(o.out)) EXPECT_THAT(l, Not(StartsWith("    "))) << o.out;
}

// ---- 5. JSON ---------------------------------------------------------------------------------

TEST(ChunkserverFaultsJson, FailingServerHasAnErrorEntry) {
    FourServers s([](const Bytes&) {
        return OnHddRequest([](FakeConnection& c) { c.Write(Frame(1, {})); });
    });
    const Outcome o = RunMfsmon(s.Args("disks", {"--format", "json"}));
    ExpectCleanRun(o, 2, s.cluster.master());
    EXPECT_EQ(o.exit_code, 2) << o.out;
    const auto j = nlohmann::json::parse(o.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON:\n" << o.out;
    EXPECT_EQ(j["check"], "disks");
    EXPECT_EQ(j["state"], "CRITICAL");
    EXPECT_EQ(j["exit_code"], 2);
    ASSERT_TRUE(j["disks"].is_array()) << j.dump(2);
    ASSERT_EQ(j["disks"].size(), 4u) << j.dump(2);
    std::size_t with_error = 0;
    for (const auto& server : j["disks"]) {
        if (server["server"] == Hostport(s.bad)) {
            ++with_error;
            EXPECT_EQ(server["id"], 2);
            EXPECT_FALSE(server.contains("disks"));
            ASSERT_TRUE(server["error"].is_object()) << server.dump();
            EXPECT_THAT(server["error"]["message"].get<std::string>(),
                        HasSubstr(fmt::format("{} answered CLTOCS_HDD_LIST with "
                                              "ANTOAN_UNKNOWN_COMMAND",
                                              Hostport(s.bad))));
        } else {
            EXPECT_FALSE(server.contains("error")) << server.dump();
            ASSERT_TRUE(server["disks"].is_array()) << server.dump();
            ASSERT_EQ(server["disks"].size(), 1u);
            EXPECT_EQ(server["disks"][0]["used_bytes"], kRecordedUsed);
            EXPECT_EQ(server["disks"][0]["total_bytes"], kRecordedTotal);
        }
    }
    EXPECT_EQ(with_error, 1u);
    std::size_t unreachable = 0;
    for (const auto& f : j["findings"]) {
        if (f["code"] == "disks.chunkserver_unreachable") {
            ++unreachable;
            EXPECT_EQ(f["severity"], "CRITICAL");
            EXPECT_EQ(f["subject"], Hostport(s.bad));
        }
    }
    EXPECT_EQ(unreachable, 1u) << j["findings"].dump(2);
}

}  // namespace
}  // namespace mfsmon::fault
