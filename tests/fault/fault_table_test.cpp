// The fault table: every way a master (or something posing as one) can answer badly, each
// injected on the first answer (INFO) and again on the second (CHUNKS_MATRIX, after a good
// INFO). mfsmon must end every one in UNKNOWN (exit 3) with one line naming what was wrong,
// within 3 s for -t 1 (5 s under sanitizers), without a crash or a large allocation.
// Control rows (good answers, NOPs, split writes) prove the fake server itself is right.
//
// Set MFSMON_FAULT_TABLE=FILE to append a Markdown row per case (docs/faults.md is made so).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_master.h"

namespace mfsmon::fault {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

#ifdef MFSMON_SANITIZED
constexpr double kMaxSeconds = 5.0;
constexpr long kMaxRssKb = 1024 * 1024;
#else
constexpr double kMaxSeconds = 3.0;
constexpr long kMaxRssKb = 64 * 1024;
#endif

// ---- recorded real answers -----------------------------------------------------------

Bytes ReadFixture(const std::string& rel) {
    std::ifstream in(std::string(MFSMON_FIXTURES_DIR) + "/" + rel, std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (b.size() < 8) throw std::runtime_error("missing fixture " + rel);
    return b;
}
Bytes Payload(const Bytes& packet) {
    return Bytes(packet.begin() + 8, packet.end());
}

const Bytes& Info3() {
    static const Bytes b = ReadFixture("3.0.117/healthy/SIC/02-master-ans-511.bin");
    return b;
}
const Bytes& Matrix3() {
    static const Bytes b = ReadFixture("3.0.117/healthy/SIC/04-master-ans-517.bin");
    return b;
}
const Bytes& Matrix3Missing() {
    static const Bytes b = ReadFixture("3.0.117/three-killed/SIC/04-master-ans-517.bin");
    return b;
}
const Bytes& Info4() {
    static const Bytes b = ReadFixture("4.59.2/healthy/SIC/02-master-ans-511.bin");
    return b;
}
const Bytes& Matrix4() {
    static const Bytes b = ReadFixture("4.59.2/healthy/SIC/06-master-ans-517.bin");
    return b;
}

// A payload of `length` bytes that starts with the version word of `info` (so the version
// is known and only the length is wrong).
Bytes Resized(const Bytes& packet, std::uint32_t type, std::size_t length) {
    Bytes p = Payload(packet);
    p.resize(length, 0);
    return Frame(type, p);
}

Bytes WithVersion(const Bytes& info_packet, std::uint8_t b0, std::uint8_t b1, std::uint8_t b2,
                  std::uint8_t b3) {
    Bytes p = info_packet;
    p[8] = b0, p[9] = b1, p[10] = b2, p[11] = b3;
    return p;
}

// ---- running the real binary ---------------------------------------------------------

struct Outcome {
    int exit_code = -1;
    std::string output;
    double seconds = 0;
    long max_rss_kb = 0;
    bool killed = false;
};

Outcome RunMfsmon(std::uint16_t port, const std::string& timeout = "1") {
    const std::string port_s = std::to_string(port);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(out[1], 2);
#ifndef MFSMON_SANITIZED
        // A header that claims 4 GiB must not allocate it: cap the address space so that
        // trying would fail loudly (sanitizers reserve huge shadow maps, so not there).
        rlimit as{512ul << 20, 512ul << 20};
        setrlimit(RLIMIT_AS, &as);
#endif
        execl(MFSMON_BINARY, MFSMON_BINARY, "check", "replicas", "-H", "127.0.0.1", "-P",
              port_s.c_str(), "-t", timeout.c_str(), "--no-history", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    Outcome o;
    char buf[4096];
    // Watchdog far above the deadline: a hang shows as `killed`, not as a stuck test.
    const auto kill_at = start + 20s;
    while (true) {
        pollfd p{out[0], POLLIN, 0};
        int ready = poll(&p, 1, 100);
        if (ready > 0) {
            ssize_t n = read(out[0], buf, sizeof buf);
            if (n <= 0) break;
            o.output.append(buf, static_cast<std::size_t>(n));
        }
        if (std::chrono::steady_clock::now() > kill_at) {
            kill(pid, SIGKILL);
            o.killed = true;
            break;
        }
    }
    close(out[0]);
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.max_rss_kb = ru.ru_maxrss;
    return o;
}

// ---- the table -------------------------------------------------------------------------

struct Case {
    const char* name;
    const char* fault;  // what the server does, for the table
    const char* reply;  // "first" (INFO), "second" (MATRIX), "-" (before any reply)
    FakeMaster::Script script;
    int expected_exit;  // 3 for every fault; 0/2 for control rows
    const char* expected_text;
};

// Answers INFO well, then hands over for the second answer.
FakeMaster::Script AfterGoodInfo(const Bytes& info, std::function<void(FakeConnection&)> then) {
    return [info, then](FakeConnection& c) {
        if (!c.ReadRequest() || !c.ReadRequest()) return;  // INFO and MATRIX (pipelined)
        if (!c.Write(info)) return;
        then(c);
    };
}

// Reads both requests, then does `then` as the first answer.
FakeMaster::Script OnFirst(std::function<void(FakeConnection&)> then) {
    return [then](FakeConnection& c) {
        if (!c.ReadRequest() || !c.ReadRequest()) return;
        then(c);
    };
}

// The same fault on the first answer and on the second.
void Both(std::vector<Case>& out, const char* name, const char* fault, const Bytes& info_ok,
          std::function<void(FakeConnection&, std::uint32_t type, const Bytes& good)> act,
          const char* text_first, const char* text_second) {
    out.push_back({name, fault, "first",
                   OnFirst([act](FakeConnection& c) { act(c, 511, Info3()); }), 3, text_first});
    out.push_back({name, fault, "second",
                   AfterGoodInfo(info_ok, [act](FakeConnection& c) { act(c, 517, Matrix3()); }), 3,
                   text_second});
}

std::vector<Case> AllCases() {
    std::vector<Case> cases;
    auto wait = [](FakeConnection& c) { c.WaitForClose(); };

    // Controls.
    cases.push_back({"control: healthy 3.0.117", "good INFO and MATRIX", "-",
                     OnFirst([](FakeConnection& c) { c.Write(Concat(Info3(), Matrix3())); }), 0,
                     "OK - No errors"});
    cases.push_back({"control: healthy 4.59.2", "good INFO and MATRIX", "-",
                     OnFirst([](FakeConnection& c) { c.Write(Concat(Info4(), Matrix4())); }), 0,
                     "OK - No errors"});
    cases.push_back({"control: missing chunks", "good INFO, three-killed MATRIX", "-",
                     OnFirst([](FakeConnection& c) { c.Write(Concat(Info3(), Matrix3Missing())); }),
                     2, "lost"});
    cases.push_back({"control: NOPs first", "3 NOPs (length 4 and 0), then good answers", "-",
                     OnFirst([](FakeConnection& c) {
                         c.Write(Frame(0, {0, 0, 0, 0}));
                         c.Write(Frame(0, {}));
                         c.Write(Frame(0, {0, 0, 0, 0}));
                         c.Write(Concat(Info3(), Matrix3()));
                     }),
                     0, "OK - No errors"});
    cases.push_back({"control: split writes", "good answers in 7-byte pieces, 1 ms apart", "-",
                     OnFirst([](FakeConnection& c) {
                         Bytes all = Concat(Info3(), Matrix3());
                         for (std::size_t i = 0; i < all.size(); i += 7) {
                             Bytes piece(all.begin() + i,
                                         all.begin() + std::min(all.size(), i + 7));
                             if (!c.Write(piece) || !c.Sleep(1ms)) return;
                         }
                     }),
                     0, "OK - No errors"});

    // Faults.
    cases.push_back(
        {"refused", "nothing listens on the port", "-", nullptr, 3, "Connection refused"});
    cases.push_back({"closed after request", "reads the requests, closes", "first",
                     OnFirst([](FakeConnection&) {}), 3,
                     "closed the connection instead of answering CLTOMA_INFO"});
    cases.push_back({"closed after request", "answers INFO, closes", "second",
                     AfterGoodInfo(Info3(), [](FakeConnection&) {}), 3,
                     "closed the connection instead of answering CLTOMA_CHUNKS_MATRIX"});
    cases.push_back({"never answers", "accepts, reads, stays silent", "first", OnFirst(wait), 3,
                     "timeout: no answer to CLTOMA_INFO"});
    cases.push_back({"never answers", "answers INFO, then silent", "second",
                     AfterGoodInfo(Info3(), wait), 3,
                     "timeout: no answer to CLTOMA_CHUNKS_MATRIX"});
    Both(
        cases, "one byte at a time", "a good answer, one byte per 300 ms", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes& good) { c.WriteSlowly(good, 300ms); },
        "timeout", "timeout");
    Both(
        cases, "truncated header then close", "5 of the 8 header bytes, close", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes& good) {
            c.Write(Bytes(good.begin(), good.begin() + 5));
        },
        "in the middle of the header of the answer to CLTOMA_INFO",
        "in the middle of the header of the answer to CLTOMA_CHUNKS_MATRIX");
    Both(
        cases, "close in mid-payload", "header + half the payload, close", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes& good) {
            c.Write(Bytes(good.begin(), good.begin() + 8 + (good.size() - 8) / 2));
        },
        "in the middle of the answer to CLTOMA_INFO",
        "in the middle of the answer to CLTOMA_CHUNKS_MATRIX");
    Both(
        cases, "length 0xFFFFFFFF", "header claiming 4 GiB, then silence", Info3(),
        [](FakeConnection& c, std::uint32_t type, const Bytes&) {
            c.Write(Header(type, 0xFFFFFFFFu));
            c.WaitForClose();
        },
        "claims 4294967295 bytes", "claims 4294967295 bytes");
    Both(
        cases, "zero-length reply", "right type, length 0", Info3(),
        [](FakeConnection& c, std::uint32_t type, const Bytes&) { c.Write(Header(type, 0)); },
        "too short to hold a version", "MATOCL_CHUNKS_MATRIX answer of 0 bytes");
    Both(
        cases, "wrong reply type", "type 999 with the good payload", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes& good) {
            c.Write(Frame(999, Payload(good)));
        },
        "unexpected packet type 999", "unexpected packet type 999");
    Both(
        cases, "endless NOPs", "a NOP every 50 ms, forever", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) {
            while (c.Write(Frame(0, {0, 0, 0, 0})) && c.Sleep(50ms)) {
            }
        },
        "keep-alive packets skipped", "keep-alive packets skipped");
    Both(
        cases, "flood of NOPs", "zero bytes (empty NOPs) as fast as the socket takes them", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) {
            const Bytes zeros(64 * 1024, 0);
            while (c.Write(zeros)) {
            }
        },
        "keep-alive packets skipped", "keep-alive packets skipped");
    Both(
        cases, "NOP claiming a large payload", "type 0 with length 100000", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) {
            c.Write(Header(0, 100000));
            c.WaitForClose();
        },
        "keep-alive (NOP) packet", "keep-alive (NOP) packet");
    Both(
        cases, "error packet 1", "ANTOAN_UNKNOWN_COMMAND", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) { c.Write(Frame(1, {})); },
        "answered CLTOMA_INFO with ANTOAN_UNKNOWN_COMMAND",
        "answered CLTOMA_CHUNKS_MATRIX with ANTOAN_UNKNOWN_COMMAND");
    Both(
        cases, "error packet 2", "ANTOAN_BAD_COMMAND_SIZE", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) {
            c.Write(Frame(2, {0, 0, 0, 0}));
        },
        "with ANTOAN_BAD_COMMAND_SIZE", "with ANTOAN_BAD_COMMAND_SIZE");
    Both(
        cases, "random garbage", "64 KiB of seeded random bytes, then silence", Info3(),
        [](FakeConnection& c, std::uint32_t, const Bytes&) {
            std::mt19937 rng(12345);
            Bytes junk(64 * 1024);
            for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
            c.Write(junk);
            c.WaitForClose();
        },
        "", "");
    // Known commands with layout lengths we do not know.
    cases.push_back({"unknown INFO length", "3.0.117 INFO padded to 150 bytes", "first",
                     OnFirst([](FakeConnection& c) { c.Write(Resized(Info3(), 511, 150)); }), 3,
                     "unsupported layout: MATOCL_INFO answer of 150 bytes from master 3.0.117 "
                     "(known for this version: 121, 129, 137, 149)"});
    cases.push_back(
        {"unknown MATRIX length", "good INFO, MATRIX of 970 bytes", "second",
         AfterGoodInfo(Info3(), [](FakeConnection& c) { c.Write(Resized(Matrix3(), 517, 970)); }),
         3, "MATOCL_CHUNKS_MATRIX answer of 970 bytes from master 3.0.117"});
    cases.push_back({"4.x version, 3.x-only length", "4.59.2 version word in a 149-byte INFO",
                     "first",
                     OnFirst([](FakeConnection& c) { c.Write(WithVersion(Info3(), 0, 4, 59, 4)); }),
                     3, "MATOCL_INFO answer of 149 bytes from master 4.59.2"});
    cases.push_back(
        {"4.x version, pre-4.26-only length", "good 4.59.2 INFO, 2905-byte MATRIX", "second",
         AfterGoodInfo(Info4(), [](FakeConnection& c) { c.Write(Resized(Matrix4(), 517, 2905)); }),
         3, "MATOCL_CHUNKS_MATRIX answer of 2905 bytes from master 4.59.2"});
    cases.push_back(
        {"3.x version, 4.x-only length", "3.0.117 version word in a 205-byte INFO", "first",
         OnFirst([](FakeConnection& c) { c.Write(WithVersion(Info4(), 0, 3, 0, 234)); }), 3,
         "MATOCL_INFO answer of 205 bytes from master 3.0.117"});
    cases.push_back({"3.x version, 4.x-only length", "good 3.0.117 INFO, 3873-byte MATRIX",
                     "second",
                     AfterGoodInfo(Info3(), [](FakeConnection& c) { c.Write(Matrix4()); }), 3,
                     "MATOCL_CHUNKS_MATRIX answer of 3873 bytes from master 3.0.117"});
    cases.push_back({"unknown version", "version 5.0.0 in a 205-byte INFO", "first",
                     OnFirst([](FakeConnection& c) { c.Write(WithVersion(Info4(), 0, 5, 0, 0)); }),
                     3, "unsupported master version 5.0.0"});
    cases.push_back({"unknown version", "version 1.6.27 in a 149-byte INFO", "first",
                     OnFirst([](FakeConnection& c) { c.Write(WithVersion(Info3(), 0, 1, 6, 27)); }),
                     3, "unsupported master version 1.6.27"});
    return cases;
}

// Readable test names in ctest output instead of the object's bytes.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name << " (" << c.reply << ")";
}

class FaultTable : public ::testing::TestWithParam<Case> {};

std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

TEST_P(FaultTable, EndsAsExpectedWithinDeadline) {
    const Case& c = GetParam();
    std::optional<FakeMaster> server;
    std::uint16_t port = 0;
    if (c.script) {
        server.emplace(c.script);
        port = server->port();
    } else {
        // "refused": a port that was just free on loopback.
        FakeMaster probe([](FakeConnection&) {});
        port = probe.port();
    }
    Outcome o = RunMfsmon(port);

    EXPECT_FALSE(o.killed) << "hung past the watchdog";
    EXPECT_EQ(o.exit_code, c.expected_exit) << o.output;
    EXPECT_LT(o.seconds, kMaxSeconds);
    EXPECT_LT(o.max_rss_kb, kMaxRssKb);
    if (c.expected_exit == 3) {
        EXPECT_THAT(o.output, StartsWith("MOOSEFS REPLICAS UNKNOWN - "));
        EXPECT_EQ(o.output.find('\n'), o.output.size() - 1) << "one line:\n" << o.output;
        EXPECT_GT(o.output.size(), std::string("MOOSEFS REPLICAS UNKNOWN - ").size() + 10);
    }
    EXPECT_THAT(o.output, HasSubstr(c.expected_text));

    if (const char* table = std::getenv("MFSMON_FAULT_TABLE")) {
        std::ofstream out(table, std::ios::app);
        // The first line without its perfdata, which says nothing about the fault.
        std::string first = o.output.substr(0, o.output.find('\n'));
        first = first.substr(0, first.find(" | "));
        out << fmt::format("| {} | {} | {} | {} | {:.2f} | {:.1f} | {} |\n", c.name, c.reply,
                           c.fault, o.exit_code, o.seconds, o.max_rss_kb / 1024.0, Escape(first));
    }
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultTable, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string n = fmt::format("{}_{}", info.index, info.param.name);
                             for (char& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return n;
                         });

}  // namespace
}  // namespace mfsmon::fault
