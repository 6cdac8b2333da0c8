// The built binary, run as Nagios would run it: argument errors are UNKNOWN (3) with one
// line naming the problem, then usage; --help and --version succeed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;
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

TEST(Cli, BadArgumentsAreUnknownWithUsage) {
    const char* cases[][2] = {
        {"", "subcommand"},
        {"check", "subcommand"},
        {"check replicas", "--host"},
        {"check replicas -H m -P 0", "--port"},
        {"check replicas -H m -P 70000", "--port"},
        {"check replicas -H m -P abc", "--port"},
        {"check replicas -H m -t 0", "--timeout"},
        {"check replicas -H m -t -1", "--timeout"},
        {"check replicas -H m -t abc", "--timeout"},
        {"check replicas -H m --settle -2", "--settle"},
        {"check replicas -H m --format xml", "--format"},
        {"check replicas -H m --missing-critical 10:5", "invalid threshold range '10:5'"},
        {"check replicas -H m --undergoal-warning abc", "invalid threshold range 'abc'"},
        {"check replicas -H m --no-such-option", "no-such-option"},
        {"check replicas -H m extra", "extra"},
    };
    for (const auto& c : cases) {
        RunResult r = Mfsmon(c[0]);
        EXPECT_EQ(r.exit_code, 3) << c[0] << "\n" << r.output;
        EXPECT_THAT(r.output, StartsWith("MOOSEFS REPLICAS UNKNOWN - ")) << c[0];
        EXPECT_THAT(r.output, HasSubstr(c[1])) << c[0];
        EXPECT_THAT(r.output, HasSubstr("Usage")) << c[0];
    }
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
