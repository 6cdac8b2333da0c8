// The built binary, run as Nagios would run it: argument errors are UNKNOWN (3) with one
// line naming the problem, then usage; --help and --version succeed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct RunResult {
    int exit_code;
    std::string output;
};

RunResult Mfsmon(const std::string& args) {
    const std::string cmd = std::string(MFSMON_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    RunResult r{-1, ""};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// A loopback port with nothing listening: bind, read the port, close.
int ClosedPort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

TEST(Cli, HelpAndVersionSucceed) {
    RunResult help = Mfsmon("check replicas --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.output, HasSubstr("--missing-critical"));
    RunResult version = Mfsmon("--version");
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_THAT(version.output, StartsWith("mfsmon "));
}

// `args` is refused: UNKNOWN (3), the status line starting with `status`, naming `problem`,
// then the usage.
void ExpectUsageError(const char* args, const char* status, const char* problem) {
    RunResult r = Mfsmon(args);
    EXPECT_EQ(r.exit_code, 3) << args << "\n" << r.output;
    EXPECT_THAT(r.output, StartsWith(status)) << args;
    EXPECT_THAT(r.output, HasSubstr(problem)) << args << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("Usage")) << args;
}

TEST(Cli, BadArgumentsAreUnknownWithUsage) {
    // Every option with a value it must refuse, and the words that must name the problem.
    const char* cases[][2] = {
        {"check replicas -H ''", "--host"},
        {"check replicas -H 'a b'", "without spaces"},
        {"check replicas -H m:", "empty port"},
        {"check replicas -H m:99999", "port must be"},
        {"check replicas -H '[::1'", "matching ']'"},
        {"check replicas -H m:9421 -P 9422", "differs from --port"},
        {"check replicas -H m -P 0", "port must be a whole number from 1 to 65535, got '0'"},
        {"check replicas -H m -P 70000", "got '70000'"},
        {"check replicas -H m -P abc", "got 'abc'"},
        {"check replicas -H m -P", "--port"},
        {"check replicas -H m -t 0", "timeout must be a number of seconds in (0, 3600], got '0'"},
        {"check replicas -H m -t -1", "timeout must be"},
        {"check replicas -H m -t abc", "timeout must be"},
        {"check replicas -H m -t 1e3", "timeout must be"},
        {"check replicas -H m -t inf", "timeout must be"},
        {"check replicas -H m -t 10s", "timeout must be"},
        {"check replicas -H m -t 4000", "timeout must be"},
        {"check replicas -H m --settle -2", "settle must be a number of seconds in [0, 3600]"},
        {"check replicas -H m --settle nan", "settle must be"},
        {"check replicas -H m --format xml", "format must be text or json, got 'xml'"},
        {"check replicas -H m --missing-warning 5:1", "invalid threshold range '5:1'"},
        {"check replicas -H m --missing-critical 10:5", "invalid threshold range '10:5'"},
        {"check replicas -H m --endangered-warning x", "invalid threshold range 'x'"},
        {"check replicas -H m --endangered-critical @", "invalid threshold range '@'"},
        {"check replicas -H m --undergoal-warning abc", "invalid threshold range 'abc'"},
        {"check replicas -H m --undergoal-critical 1e9", "invalid threshold range '1e9'"},
        {"check replicas -H m --marked-warning :5", "invalid threshold range ':5'"},
        {"check replicas -H m --marked-critical inf", "invalid threshold range 'inf'"},
        {"check replicas -H m --stall-after 0", "stall-after must be"},
        {"check replicas -H m --stall-after x", "stall-after must be"},
        {"check replicas -H m --state-dir", "--state-dir"},
        {"check replicas -H m --no-history=maybe", "no-history"},
        {"check replicas -H m --no-such-option", "no-such-option"},
        {"check replicas -H m extra", "extra"},
    };
    for (const auto& c : cases) ExpectUsageError(c[0], "MOOSEFS REPLICAS UNKNOWN - ", c[1]);
}

TEST(Cli, MissingOrUnknownCommandIsUnknownWithUsage) {
    for (const char* args : {"", "check", "check nosuch"}) {
        RunResult r = Mfsmon(args);
        EXPECT_EQ(r.exit_code, 3) << args << "\n" << r.output;
        EXPECT_THAT(r.output, StartsWith("MFSMON UNKNOWN - ")) << args;
        EXPECT_THAT(r.output, HasSubstr("subcommand")) << args;
        EXPECT_THAT(r.output, HasSubstr("Usage")) << args;
    }
}

TEST(Cli, StatusAndWatchRefuseBadArgumentsWithUsage) {
    const char* cases[][2] = {
        {"status -H m --format xml", "format must be text or json"},
        {"status -H m --color sometimes", "--color"},
        {"status -H m -t 0", "timeout must be"},
        {"watch -H m -i 0", "interval must be"},
        {"watch -H m -n x", "--count"},
        {"watch -H m --format json", "--format"},
    };
    for (const auto& c : cases) ExpectUsageError(c[0], "MFSMON UNKNOWN - ", c[1]);
}

TEST(Cli, StatusOfAMasterThatIsNotThereIsUnknown) {
    const std::string port = std::to_string(ClosedPort());
    RunResult r = Mfsmon("status --no-history -t 2 -H 127.0.0.1:" + port);
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_THAT(r.output, HasSubstr("Connection refused"));
    r = Mfsmon("status --no-history --format json -t 2 -H 127.0.0.1:" + port);
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_THAT(r.output, HasSubstr("\"check\": \"status\""));
}

TEST(Cli, WatchWithoutATerminalPrintsFramesAndStopsAfterCount) {
    const std::string port = std::to_string(ClosedPort());
    RunResult r = Mfsmon("watch -n 2 -i 0.1 -t 1 -H 127.0.0.1:" + port);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, Not(HasSubstr("\x1b[?1049h")));  // piped: no full screen
    std::size_t frames = 0;
    for (auto at = r.output.find("mfsmon watch"); at != std::string::npos;
         at = r.output.find("mfsmon watch", at + 1)) {
        ++frames;
    }
    EXPECT_EQ(frames, 2u) << r.output;
}

TEST(Cli, ControlCharactersInArgumentsStayOnOneLine) {
    RunResult r = Mfsmon("check replicas -H m \"$(printf 'ex\\ntra')\"");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_THAT(r.output, StartsWith("MOOSEFS REPLICAS UNKNOWN - The following argument was not "
                                     "expected: ex?tra\n"));
}

TEST(Cli, HostWithPortIsUsed) {
    const std::string port = std::to_string(ClosedPort());
    RunResult r = Mfsmon("check replicas -t 2 -H 127.0.0.1:" + port);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_THAT(r.output, HasSubstr("cannot connect to 127.0.0.1:" + port));
    RunResult same = Mfsmon("check replicas -t 2 -H 127.0.0.1:" + port + " -P " + port);
    EXPECT_THAT(same.output, HasSubstr("cannot connect to 127.0.0.1:" + port));
}

TEST(Cli, RefusedConnectionIsOneUnknownLine) {
    RunResult r = Mfsmon("check replicas -H 127.0.0.1 -t 2 -P " + std::to_string(ClosedPort()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_THAT(r.output, StartsWith("MOOSEFS REPLICAS UNKNOWN - cannot connect to 127.0.0.1:"));
    EXPECT_THAT(r.output, HasSubstr("refused"));
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << "exactly one line";
}

TEST(Cli, RefusedConnectionInJsonIsUnknown) {
    RunResult r =
        Mfsmon("check replicas --format json -H 127.0.0.1 -t 2 -P " + std::to_string(ClosedPort()));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_THAT(r.output, HasSubstr("\"state\": \"UNKNOWN\""));
    EXPECT_THAT(r.output, HasSubstr("\"kind\": \"connect\""));
}

}  // namespace

namespace {

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// docs/health-codes.md is generated from the registry; regenerate it with
// `build/mfsmon explain --markdown > docs/health-codes.md` when a code changes.
TEST(Cli, HealthCodesDocIsTheRegistry) {
    RunResult r = Mfsmon("explain --markdown");
    ASSERT_EQ(r.exit_code, 0);
    const std::string doc = ReadFile(std::string(MFSMON_SOURCE_DIR) + "/docs/health-codes.md");
    ASSERT_FALSE(doc.empty()) << "docs/health-codes.md is missing";
    EXPECT_TRUE(doc == r.output) << "docs/health-codes.md differs from `mfsmon explain "
                                    "--markdown`: regenerate it";
}

TEST(Cli, ExplainKnowsEveryCodeAndRefusesOthers) {
    RunResult list = Mfsmon("explain");
    EXPECT_EQ(list.exit_code, 0);
    EXPECT_THAT(list.output, HasSubstr("chunkservers.disconnected"));
    RunResult one = Mfsmon("explain disks.damaged");
    EXPECT_EQ(one.exit_code, 0);
    EXPECT_THAT(one.output, HasSubstr("What to do:"));
    EXPECT_THAT(one.output, HasSubstr("hdd_damage"));
    RunResult bad = Mfsmon("explain no.such");
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_THAT(bad.output, HasSubstr("unknown code 'no.such'"));
}

TEST(Cli, EveryCheckIsListedAndMuteIsValidated) {
    RunResult help = Mfsmon("check --help");
    for (const char* c :
         {"replicas", "chunkservers", "disks", "space", "master", "classes", "health"}) {
        EXPECT_THAT(help.output, HasSubstr(c));
    }
    RunResult mute = Mfsmon("check health -H m --mute nosuch.code");
    EXPECT_EQ(mute.exit_code, 3);
    EXPECT_THAT(mute.output, StartsWith("MOOSEFS HEALTH UNKNOWN - "));
    EXPECT_THAT(mute.output, HasSubstr("'nosuch.code' is no finding code or area"));
    RunResult usage = Mfsmon("check disks -H m --used-warning 90x");
    EXPECT_EQ(usage.exit_code, 3);
    EXPECT_THAT(usage.output, HasSubstr("invalid usage threshold '90x'"));
}

TEST(Cli, ClusterCheckAgainstNothingIsUnknownInOneLine) {
    const std::string port = std::to_string(ClosedPort());
    for (const char* c : {"chunkservers", "disks", "space", "master", "classes", "health"}) {
        RunResult r = Mfsmon(std::string("check ") + c + " -t 2 -H 127.0.0.1:" + port);
        EXPECT_EQ(r.exit_code, 3) << c;
        EXPECT_THAT(r.output, HasSubstr("UNKNOWN - cannot connect to 127.0.0.1:" + port)) << c;
        EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    }
}

}  // namespace
