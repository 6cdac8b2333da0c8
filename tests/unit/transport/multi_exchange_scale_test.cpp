// 500 chunkservers on loopback, one of which never answers: every other one is answered, the
// call returns in about per_target, and no more than max_open sockets are ever open at once.
//
// The 500 fake servers live in a forked child process (one epoll loop, one listening socket
// per target), so that /proc/self/fd in this process counts only ExchangeAll's own sockets.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fake_chunkserver.h"
#include "transport/multi_exchange.h"

namespace mfsmon::transport::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kHddList = 600;
constexpr std::uint32_t kHddListAnswer = 601;
constexpr int kTargets = 500;
constexpr int kSilentIndex = 0;  // first in line: it must not hold up the 499 behind it

// The answer names the port it came from, so a result given to the wrong target shows.
Bytes AnswerFor(std::uint16_t port) {
    return Packet(kHddListAnswer, {static_cast<std::uint8_t>(port >> 8),
                                   static_cast<std::uint8_t>(port), 'o', 'k'});
}

// The child: listens on kTargets loopback ports, answers each request with AnswerFor(port),
// except on the silent port, where it reads and keeps quiet. Runs until killed.
[[noreturn]] void ServeInChild(int report_fd) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    std::unordered_map<int, std::uint16_t> listening;  // fd -> port
    std::vector<std::uint16_t> ports;
    for (int i = 0; i < kTargets; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            listen(fd, 128) != 0) {
            _exit(1);
        }
        socklen_t len = sizeof a;
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        listening[fd] = ntohs(a.sin_port);
        ports.push_back(ntohs(a.sin_port));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    const std::uint16_t silent_port = ports[kSilentIndex];
    const std::size_t bytes = ports.size() * sizeof ports[0];
    if (write(report_fd, ports.data(), bytes) != static_cast<ssize_t>(bytes)) _exit(2);
    close(report_fd);

    struct Conn {
        std::uint16_t port;
        Bytes got;
        bool answered = false;
    };
    std::unordered_map<int, Conn> conns;
    epoll_event events[64];
    while (true) {
        const int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (auto l = listening.find(fd); l != listening.end()) {
                while (true) {
                    const int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    conns[c] = Conn{l->second, {}, false};
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            Conn& conn = conns[fd];
            std::uint8_t buf[4096];
            const ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                close(fd);  // the client is done (or gone)
                conns.erase(fd);
                continue;
            }
            conn.got.insert(conn.got.end(), buf, buf + r);
            if (!conn.answered && conn.got.size() >= 8 && conn.port != silent_port) {
                conn.answered = true;
                const Bytes answer = AnswerFor(conn.port);
                // 12 bytes into an empty socket buffer: one send() takes them.
                send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
            }
        }
    }
}

class ScaleServer {
  public:
    ScaleServer() {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork");
        if (pid_ == 0) {
            close(p[0]);
            ServeInChild(p[1]);
        }
        close(p[1]);
        ports_.resize(kTargets);
        auto* out = reinterpret_cast<std::uint8_t*>(ports_.data());
        const std::size_t want = ports_.size() * sizeof ports_[0];
        std::size_t got = 0;
        while (got < want) {
            pollfd pf{p[0], POLLIN, 0};
            if (poll(&pf, 1, 10000) <= 0) break;
            const ssize_t r = read(p[0], out + got, want - got);
            if (r <= 0) break;
            got += static_cast<std::size_t>(r);
        }
        close(p[0]);
        if (got != want) ports_.clear();
    }
    ~ScaleServer() {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    const std::vector<std::uint16_t>& ports() const { return ports_; }

  private:
    pid_t pid_ = -1;
    std::vector<std::uint16_t> ports_;
};

// Installs the poll hook for one scope: records the most descriptors open at any turn.
class PeakDescriptors {
  public:
    PeakDescriptors() {
        SetExchangePollHookForTesting([this] {
            ++turns_;
            peak_ = std::max(peak_, OpenDescriptors());
        });
    }
    ~PeakDescriptors() { SetExchangePollHookForTesting(nullptr); }
    int peak() const { return peak_; }
    int turns() const { return turns_; }

  private:
    int peak_ = 0;
    int turns_ = 0;
};

class Scale : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Scale, FiveHundredTargetsOneSilent) {
    const std::size_t max_open = GetParam();
    constexpr auto kPerTarget = 1s;
    ScaleServer server;
    ASSERT_EQ(server.ports().size(), static_cast<std::size_t>(kTargets)) << "server did not start";
    std::vector<ExchangeTarget> targets;
    for (std::uint16_t port : server.ports()) targets.push_back({"127.0.0.1", port});

    const int baseline = OpenDescriptors();
    double seconds = 0;
    int peak = 0;
    int turns = 0;
    std::vector<Result<Frame>> results;
    {
        PeakDescriptors watch;
        const auto start = std::chrono::steady_clock::now();
        results = ExchangeAll(targets, {kHddList, {}, kHddListAnswer, 1024, "CLTOCS_HDD_LIST"},
                              {kPerTarget, max_open}, Deadline::After(30s));
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        peak = watch.peak() - baseline;
        turns = watch.turns();
    }

    ASSERT_EQ(results.size(), targets.size());
    int answered = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (i == static_cast<std::size_t>(kSilentIndex)) continue;
        ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
        const Bytes want = AnswerFor(targets[i].port);
        EXPECT_EQ(results[i]->payload, Bytes(want.begin() + 8, want.end())) << "target " << i;
        ++answered;
    }
    EXPECT_EQ(answered, kTargets - 1);
    ASSERT_FALSE(results[kSilentIndex].ok());
    EXPECT_EQ(results[kSilentIndex].error().message,
              fmt::format("timeout: no answer to CLTOCS_HDD_LIST from 127.0.0.1:{} within 1 s",
                          targets[kSilentIndex].port));

    // Correctness bounds, not speed: the silent one had its whole clock, and nobody waited
    // behind it.
    EXPECT_GT(seconds, 0.95);
    EXPECT_LT(seconds, 1.0 + 2.0);
    EXPECT_LE(peak, static_cast<int>(max_open)) << "sockets open at once above max_open";
    EXPECT_GT(peak, 0) << "the hook saw no socket: it did not run";
    EXPECT_EQ(OpenDescriptors(), baseline) << "descriptors leaked";

    RecordProperty("seconds", fmt::format("{:.3f}", seconds));
    RecordProperty("peak_open_sockets", peak);
    std::printf(
        "[ measured ] max_open=%zu: %d targets, one silent: %.3f s, peak %d sockets "
        "open (baseline %d descriptors), %d poll turns\n",
        max_open, kTargets, seconds, peak, baseline, turns);
}

INSTANTIATE_TEST_SUITE_P(MaxOpen, Scale, ::testing::Values(std::size_t{64}, std::size_t{8}),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                             return fmt::format("max_open_{}", info.param);
                         });

}  // namespace
}  // namespace mfsmon::transport::test
