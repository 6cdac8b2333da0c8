// mfsmon-exporter end to end: the real binary, started as a child process on a free loopback
// port, probing fake 3.0.117 clusters (fake_cluster.h), and spoken to by a small blocking
// HTTP/1.1 client over raw sockets.
//
//   1. a probe of a healthy fake cluster: mfsmon_up 1, each chunkserver's disks, promtool clean;
//   2. a master that never answers: mfsmon_up 0 and why, within the scrape timeout's budget;
//   3. a silent chunkserver: a finding (its disks_success 0), not a lost scrape;
//   4. fifty concurrent probes of one target share one collection;
//   5. connections to the master and the chunkservers are kept between probes;
//   6. --allow-target: a refused target is never connected to;
//   7. hostile HTTP: bad targets, methods, paths, huge requests, slow and vanishing clients;
//   8. gzip when asked;
//   9. /metrics with two --master: one family per name, each master's series labelled.
//
// Every test stops its exporter with SIGTERM and expects exit status 0 (a clean stop).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_cluster.h"

extern char** environ;

namespace mfsmon::fault {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using Clock = std::chrono::steady_clock;

// Upper time bounds get this much more under the sanitizers (slower start-up and every step);
// lower bounds never move.
#ifdef MFSMON_SANITIZED
constexpr double kSanitizerSlack = 1.5;
constexpr long kMaxRssKb = 512 * 1024;  // ASan's shadow memory and quarantine
constexpr double kStartSeconds = 30;
#else
constexpr double kSanitizerSlack = 0;
constexpr long kMaxRssKb = 64 * 1024;
constexpr double kStartSeconds = 10;
#endif

constexpr std::uint32_t kNop = 0, kInfo = 510, kHddList = 600;
constexpr const char* kPromtool = "/usr/bin/promtool";

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string TestName() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return fmt::format("{}.{}", info->test_suite_name(), info->name());
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// ---- a blocking HTTP/1.1 client --------------------------------------------------------------

struct HttpResponse {
    int status = 0;                              // 0: no status line (closed, reset, timed out)
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    bool timed_out = false;  // nothing more came within the client's timeout
    double seconds = 0;      // from connecting to the end of the answer

    std::string Header(const std::string& name) const {
        const auto it = headers.find(Lower(name));
        return it == headers.end() ? std::string{} : it->second;
    }
};

std::ostream& operator<<(std::ostream& os, const HttpResponse& r) {
    return os << fmt::format("HTTP status {} after {:.3f} s{}, body:\n{}", r.status, r.seconds,
                             r.timed_out ? " (timed out)" : "", r.body.substr(0, 4000));
}

// One client connection to 127.0.0.1:port. Reads end at Content-Length, at the peer's close
// or after `timeout_s` (then `timed_out`), so a hang fails the test instead of hanging it.
class HttpConnection {
  public:
    explicit HttpConnection(std::uint16_t port) : start_(Clock::now()) {
        fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(fd_);
            fd_ = -1;
        }
    }
    ~HttpConnection() {
        if (fd_ >= 0) close(fd_);
    }
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    bool connected() const { return fd_ >= 0; }

    // Sends all of `bytes`; false when the server closed first (a refused request may be
    // answered before it is all sent).
    bool Send(const std::string& bytes) {
        std::size_t sent = 0;
        while (fd_ >= 0 && sent < bytes.size()) {
            const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return fd_ >= 0;
    }

    HttpResponse Receive(double timeout_s = 10) {
        HttpResponse r;
        const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(timeout_s));
        std::string data;
        std::optional<std::size_t> header_end;
        std::optional<std::size_t> length;
        char buf[16384];
        while (fd_ >= 0) {
            if (header_end && length && data.size() >= *header_end + *length) break;
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            if (left.count() <= 0) {
                r.timed_out = true;
                break;
            }
            pollfd p{fd_, POLLIN, 0};
            const int ready = poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) continue;  // the deadline check above ends it
            const ssize_t n = recv(fd_, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;  // closed or reset
            data.append(buf, static_cast<std::size_t>(n));
            if (!header_end) {
                const auto at = data.find("\r\n\r\n");
                if (at != std::string::npos) {
                    header_end = at + 4;
                    ParseHead(data.substr(0, at), r);
                    const std::string cl = r.Header("Content-Length");
                    if (!cl.empty()) length = std::strtoull(cl.c_str(), nullptr, 10);
                }
            }
        }
        if (header_end) {
            r.body = data.substr(*header_end);
            if (length && r.body.size() > *length) r.body.resize(*length);
        }
        r.seconds = SecondsSince(start_);
        return r;
    }

  private:
    static void ParseHead(const std::string& head, HttpResponse& r) {
        const auto lines = Lines(head);
        if (lines.empty()) return;
        int status = 0;
        if (std::sscanf(lines[0].c_str(), "HTTP/1.%*d %d", &status) == 1) r.status = status;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            std::string line = lines[i];
            if (!line.empty() && line.back() == '\r') line.pop_back();
            const auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(" \t"));
            r.headers[Lower(line.substr(0, colon))] = value;
        }
    }

    int fd_ = -1;
    Clock::time_point start_;
};

// Connects, sends `raw` as it is and reads the answer.
HttpResponse RawRequest(std::uint16_t port, const std::string& raw, double timeout_s = 10) {
    HttpConnection c(port);
    if (!c.connected()) return HttpResponse{};
    c.Send(raw);
    return c.Receive(timeout_s);
}

std::string GetRequest(const std::string& target, const std::vector<std::string>& headers = {}) {
    std::string raw = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n", target);
    for (const auto& h : headers) raw += h + "\r\n";
    return raw + "Connection: close\r\n\r\n";
}

HttpResponse Get(std::uint16_t port, const std::string& target,
                 const std::vector<std::string>& headers = {}, double timeout_s = 10) {
    return RawRequest(port, GetRequest(target, headers), timeout_s);
}

// ---- reading the text format -------------------------------------------------------------------

// The value of the sample written exactly as `series` (name and labels), or nothing.
std::optional<double> Sample(const std::string& text, const std::string& series) {
    for (const auto& line : Lines(text)) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
            line[series.size()] == ' ') {
            return std::strtod(line.c_str() + series.size() + 1, nullptr);
        }
    }
    return std::nullopt;
}

// The values of the samples of `name` whose labels include `label` (`server="..."`).
std::vector<double> SamplesWithLabel(const std::string& text, const std::string& name,
                                     const std::string& label) {
    std::vector<double> out;
    for (const auto& line : Lines(text)) {
        if (line.rfind(name + "{", 0) != 0) continue;
        const auto close = line.find("} ");
        if (close == std::string::npos) continue;
        const std::string labels = line.substr(name.size(), close - name.size() + 1);
        if (labels.find("{" + label + ",") == std::string::npos &&
            labels.find("," + label + ",") == std::string::npos &&
            labels.find("{" + label + "}") == std::string::npos &&
            labels.find("," + label + "}") == std::string::npos) {
            continue;
        }
        out.push_back(std::strtod(line.c_str() + close + 2, nullptr));
    }
    return out;
}

std::size_t CountLinesStartingWith(const std::string& text, const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& line : Lines(text)) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
}

struct ToolRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// `promtool check metrics` with `metrics` on its standard input.
ToolRun PromtoolCheckMetrics(const std::string& metrics) {
    char path[] = "/tmp/mfsmon-exporter-metrics-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0) return {};
    const bool written =
        write(fd, metrics.data(), metrics.size()) == static_cast<ssize_t>(metrics.size());
    close(fd);
    ToolRun run;
    if (written) {
        const std::string command = fmt::format("{} check metrics < {} 2>&1", kPromtool, path);
        if (FILE* p = popen(command.c_str(), "r")) {
            char buf[4096];
            std::size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) run.output.append(buf, n);
            const int status = pclose(p);
            run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
    }
    unlink(path);
    return run;
}

std::optional<std::string> Gunzip(const std::string& data) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_in != 0) return std::nullopt;
    return out;
}

// VmRSS of `pid` in KiB, or -1.
long RssKb(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

// ---- the exporter as a child process ---------------------------------------------------------

class ExporterProcess {
  public:
    ~ExporterProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (!log_path_.empty()) unlink(log_path_.c_str());
    }

    // Starts MFSMON_EXPORTER_BINARY --listen 127.0.0.1:PORT `args` on a free port and waits
    // until / answers. Empty with the reason in `why` when it did not come up.
    static std::unique_ptr<ExporterProcess> Start(const std::vector<std::string>& args,
                                                  std::string& why) {
        // A port found free may be taken before the exporter binds it: then try another.
        for (int attempt = 0; attempt < 5; ++attempt) {
            auto e = std::unique_ptr<ExporterProcess>(new ExporterProcess);
            if (!e->Spawn(args, why)) return nullptr;
            if (e->WaitUntilServing(why)) return e;
            if (why.find("cannot listen") == std::string::npos) return nullptr;
        }
        return nullptr;
    }

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

    bool Alive() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = ExitCode(status);
            pid_ = -1;
            return false;
        }
        return true;
    }

    // SIGTERM, then up to 10 s to exit: the exit code (128 + N for signal N), or -1 when it
    // had to be killed.
    int Stop() {
        if (!Alive()) return exit_code_;
        kill(pid_, SIGTERM);
        const auto until = Clock::now() + std::chrono::seconds(10);
        while (Clock::now() < until) {
            if (!Alive()) return exit_code_;
            std::this_thread::sleep_for(10ms);
        }
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
    }

    // What it wrote to stdout and stderr.
    std::string Log() const {
        std::ifstream in(log_path_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    ExporterProcess() = default;

    static int ExitCode(int status) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    bool Spawn(const std::vector<std::string>& args, std::string& why) {
        const int probe_fd = fake::BoundLoopbackSocket(port_);
        close(probe_fd);
        char path[] = "/tmp/mfsmon-exporter-log-XXXXXX";
        const int log_fd = mkstemp(path);
        if (log_fd < 0) {
            why = "mkstemp failed";
            return false;
        }
        close(log_fd);
        log_path_ = path;

        std::vector<std::string> all = {MFSMON_EXPORTER_BINARY, "--listen",
                                        fmt::format("127.0.0.1:{}", port_)};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_APPEND, 0);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        pid_t pid = -1;
        const int rc =
            posix_spawn(&pid, MFSMON_EXPORTER_BINARY, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            why = fmt::format("posix_spawn {}: {}", MFSMON_EXPORTER_BINARY, std::strerror(rc));
            return false;
        }
        pid_ = pid;
        return true;
    }

    bool WaitUntilServing(std::string& why) {
        const auto start = Clock::now();
        while (SecondsSince(start) < kStartSeconds) {
            if (!Alive()) {
                why = fmt::format("exited with {} before serving:\n{}", exit_code_, Log());
                return false;
            }
            if (Get(port_, "/", {}, 2).status == 200) return true;
            std::this_thread::sleep_for(20ms);
        }
        why = fmt::format("/ did not answer within {} s:\n{}", kStartSeconds, Log());
        return false;
    }

    pid_t pid_ = -1;
    int exit_code_ = -1;
    std::uint16_t port_ = 0;
    std::string log_path_;
};

// Each test's exporters: stopped with SIGTERM at the end (exit status 0 expected), killed in
// any case.
class ExporterTest : public ::testing::Test {
  protected:
    // Null (with a failure recorded) when it did not start: ASSERT_NE(e, nullptr).
    ExporterProcess* Start(const std::vector<std::string>& args) {
        std::string why;
        auto e = ExporterProcess::Start(args, why);
        if (!e) {
            ADD_FAILURE() << "mfsmon-exporter did not start: " << why;
            return nullptr;
        }
        exporters_.push_back(std::move(e));
        return exporters_.back().get();
    }

    void TearDown() override {
        for (auto& e : exporters_) {
            const int code = e->Stop();
            const std::string log = e->Log();
            EXPECT_EQ(code, 0) << "mfsmon-exporter did not stop cleanly on SIGTERM:\n" << log;
            EXPECT_THAT(log, Not(HasSubstr("Sanitizer"))) << log;
            EXPECT_THAT(log, Not(HasSubstr("runtime error"))) << log;
        }
        exporters_.clear();
    }

    std::vector<std::unique_ptr<ExporterProcess>> exporters_;
};

void NoteTime(const char* what, double seconds) {
    std::printf("[   TIME   ] %s: %s in %.3f s\n", TestName().c_str(), what, seconds);
}

// ---- fake clusters whose servers keep their connections ------------------------------------

// The recorded exchanges, and the NOP the exporter sends on a kept idle connection once a
// second, which a real master takes silently (without it in the table, the fake would take
// it for a request mfscli never sends and close the connection).
std::map<std::uint32_t, Exchange> ExchangesWithNop() {
    auto table = RecordedMasterExchanges();
    table[kNop] = Exchange{Header(kNop, 0), {}};
    return table;
}

// What one fake chunkserver saw.
struct ChunkserverLog {
    std::atomic<int> connections{0};
    std::atomic<int> hdd_lists{0};
};

// A chunkserver as a real one is: any number of CLTOCS_HDD_LIST on one connection, each
// answered with `answer`; NOPs ignored (or, `close_on_nop`, taken as the moment to close, as
// a chunkserver restarting would); anything else closes.
FakeMaster::Script KeptHdd(Bytes answer, std::shared_ptr<ChunkserverLog> log,
                           bool close_on_nop = false) {
    return [answer, log, close_on_nop](FakeConnection& c) {
        ++log->connections;
        while (auto req = c.ReadRequest()) {
            if (req->type == kNop && close_on_nop) return;
            if (req->type == kNop) continue;
            if (req->type != kHddList || !req->payload.empty()) return;
            ++log->hdd_lists;
            if (!c.Write(answer)) return;
        }
    };
}

CservEntry RecordedEntry(int csid) {
    for (const auto& e : RecordedCservList()) {
        if (e.csid == csid) return e;
    }
    throw std::runtime_error("no such chunkserver in the recording");
}

// N chunkservers (recorded 1..N) that keep their connections, and the master.
struct KeptCluster {
    FakeCluster cluster;
    std::vector<std::uint16_t> ports;
    std::vector<std::shared_ptr<ChunkserverLog>> logs;

    explicit KeptCluster(int n, ScriptedMaster::Policy policy = {}) {
        for (int i = 1; i <= n; ++i) {
            logs.push_back(std::make_shared<ChunkserverLog>());
            ports.push_back(cluster.AddChunkserver(KeptHdd(RecordedHddAnswer(i), logs.back()),
                                                   RecordedEntry(i)));
        }
        cluster.StartMaster(ExchangesWithNop(), std::move(policy));
    }
    std::uint16_t master_port() { return cluster.master().port(); }
    std::string ProbePath() { return "/probe?target=" + FakeCluster::Name(master_port()); }
    std::size_t MasterConnections() { return cluster.master().Requests().size(); }
};

void ExpectChunkserversUp(const std::string& body, const std::vector<std::uint16_t>& ports) {
    for (auto port : ports) {
        EXPECT_EQ(SamplesWithLabel(body, "mfsmon_chunkserver_disks_success",
                                   fmt::format("server=\"{}\"", FakeCluster::Name(port))),
                  std::vector<double>{1})
            << "chunkserver " << port << ":\n"
            << body;
    }
}

// ---- 1. a healthy fake cluster -------------------------------------------------------------

TEST_F(ExporterTest, ProbeOfAFakeClusterIsUp) {
    ASSERT_EQ(access(kPromtool, X_OK), 0)
        << kPromtool << " is missing: install the Debian package prometheus";
    KeptCluster c(2);
    auto* e = Start({});
    ASSERT_NE(e, nullptr);

    const HttpResponse r = Get(e->port(), c.ProbePath());
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(r.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(Sample(r.body, "mfsmon_up"), 1.0) << r.body;
    EXPECT_THAT(r.body, Not(HasSubstr("# mfsmon:")));
    ExpectChunkserversUp(r.body, c.ports);
    EXPECT_THAT(c.cluster.master().Mismatches(), IsEmpty());

    const ToolRun check = PromtoolCheckMetrics(r.body);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_THAT(check.output, IsEmpty());
}

// ---- 2. a master that never answers ------------------------------------------------------------

TEST_F(ExporterTest, HangingMasterGivesUpZeroWithinTheScrapeTimeout) {
    FakeMaster hanging([](FakeConnection& c) { c.WaitForClose(); });
    const std::string probe = "/probe?target=" + FakeCluster::Name(hanging.port());

    // Prometheus' scrape timeout 2 s minus --timeout-offset 0.5 s: 1.5 s.
    auto* e = Start({});
    ASSERT_NE(e, nullptr);
    const HttpResponse r = Get(e->port(), probe, {"X-Prometheus-Scrape-Timeout-Seconds: 2"});
    NoteTime("header 2 s, default --timeout", r.seconds);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(Sample(r.body, "mfsmon_up"), 0.0) << r.body;
    EXPECT_THAT(r.body, StartsWith("# mfsmon: timeout")) << r.body;
    EXPECT_GE(r.seconds, 1.3) << r;
    EXPECT_LT(r.seconds, 2.0 + kSanitizerSlack) << r;

    // No header: --timeout 1 is the budget; and a longer header does not lengthen it.
    auto* capped = Start({"--timeout", "1"});
    ASSERT_NE(capped, nullptr);
    for (const std::vector<std::string>& headers :
         {std::vector<std::string>{}, {"X-Prometheus-Scrape-Timeout-Seconds: 30"}}) {
        const HttpResponse r1 = Get(capped->port(), probe, headers);
        NoteTime(headers.empty() ? "no header, --timeout 1" : "header 30 s, --timeout 1",
                 r1.seconds);
        ASSERT_EQ(r1.status, 200) << r1;
        EXPECT_EQ(Sample(r1.body, "mfsmon_up"), 0.0) << r1.body;
        EXPECT_THAT(r1.body, StartsWith("# mfsmon: timeout")) << r1.body;
        EXPECT_GE(r1.seconds, 0.9) << r1;
        EXPECT_LT(r1.seconds, 1.5 + kSanitizerSlack) << r1;
    }
}

// ---- 3. a silent chunkserver -------------------------------------------------------------------

TEST_F(ExporterTest, OneSilentChunkserverIsAFindingNotALostScrape) {
    FakeCluster cluster;
    auto good1 = std::make_shared<ChunkserverLog>(), good3 = std::make_shared<ChunkserverLog>();
    const std::uint16_t p1 =
        cluster.AddChunkserver(KeptHdd(RecordedHddAnswer(1), good1), RecordedEntry(1));
    const std::uint16_t silent = cluster.AddChunkserver(
        OnHddRequest([](FakeConnection& c) { c.WaitForClose(); }), RecordedEntry(2));
    const std::uint16_t p3 =
        cluster.AddChunkserver(KeptHdd(RecordedHddAnswer(3), good3), RecordedEntry(3));
    cluster.StartMaster(ExchangesWithNop());
    auto* e = Start({"--cs-timeout", "0.5"});
    ASSERT_NE(e, nullptr);

    const HttpResponse r =
        Get(e->port(), "/probe?target=" + FakeCluster::Name(cluster.master().port()),
            {"X-Prometheus-Scrape-Timeout-Seconds: 10"});
    NoteTime("one silent chunkserver of 3, --cs-timeout 0.5", r.seconds);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(Sample(r.body, "mfsmon_up"), 1.0) << r.body;
    ExpectChunkserversUp(r.body, {p1, p3});
    EXPECT_EQ(SamplesWithLabel(r.body, "mfsmon_chunkserver_disks_success",
                               fmt::format("server=\"{}\"", FakeCluster::Name(silent))),
              std::vector<double>{0})
        << r.body;
    // Its own 0.5 s, not the scrape's 9.5 s nor half of it.
    EXPECT_GE(r.seconds, 0.5) << r;
    EXPECT_LT(r.seconds, 1.5 + kSanitizerSlack) << r;
    EXPECT_THAT(cluster.master().Mismatches(), IsEmpty());
}

// ---- 4. concurrent probes share one collection ----------------------------------------------

TEST_F(ExporterTest, ConcurrentProbesShareOneCollection) {
    constexpr int kProbes = 50;
    // The master thinks 800 ms about INFO: long enough for all fifty to be in flight.
    KeptCluster c(2, [](int, std::uint32_t type) {
        if (type == kInfo) std::this_thread::sleep_for(800ms);
        return ScriptedMaster::Action::kAnswer;
    });
    auto* e = Start({});
    ASSERT_NE(e, nullptr);

    std::vector<HttpResponse> answers(kProbes);
    std::latch connected(kProbes);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < kProbes; ++i) {
            threads.emplace_back([&, i] {
                HttpConnection conn(e->port());
                connected.arrive_and_wait();  // every one connected: send at once
                conn.Send(GetRequest(c.ProbePath()));
                answers[static_cast<std::size_t>(i)] = conn.Receive(15);
            });
        }
    }
    double slowest = 0;
    for (const auto& r : answers) {
        slowest = std::max(slowest, r.seconds);
        ASSERT_EQ(r.status, 200) << r;
        EXPECT_EQ(Sample(r.body, "mfsmon_up"), 1.0) << r.body;
    }
    NoteTime("50 concurrent probes, the slowest", slowest);

    EXPECT_LE(c.MasterConnections(), 2u);
    const auto requests = c.cluster.master().Requests();
    const auto infos = std::count(requests[0].begin(), requests[0].end(), kInfo);
    EXPECT_LE(infos, 2) << "one INFO per collection";
    for (const auto& log : c.logs) {
        EXPECT_EQ(log->connections.load(), 1);
        EXPECT_LE(log->hdd_lists.load(), 2);
    }
    const HttpResponse m = Get(e->port(), "/metrics");
    ASSERT_EQ(m.status, 200) << m;
    const auto shared = Sample(m.body, "mfsmon_exporter_shared_probes_total");
    ASSERT_TRUE(shared.has_value()) << m.body;
    EXPECT_GE(*shared, 45) << m.body;
    EXPECT_EQ(*shared + static_cast<double>(infos), kProbes) << "each probe collected or shared";
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_collections_total{result=\"success\"}"),
              static_cast<double>(infos));
    EXPECT_THAT(c.cluster.master().Mismatches(), IsEmpty());
}

// ---- 5. connections kept between probes ------------------------------------------------------

TEST_F(ExporterTest, ConnectionsAreKeptBetweenProbes) {
    KeptCluster c(2);
    auto* e = Start({});
    ASSERT_NE(e, nullptr);
    for (int i = 0; i < 5; ++i) {
        // Once a pause past the keep-alive tick (1 s): the NOPs on the idle connections must
        // not lose them.
        if (i == 3) std::this_thread::sleep_for(1300ms);
        const HttpResponse r = Get(e->port(), c.ProbePath());
        ASSERT_EQ(r.status, 200) << r;
        EXPECT_EQ(Sample(r.body, "mfsmon_up"), 1.0) << "probe " << i << ":\n" << r.body;
        ExpectChunkserversUp(r.body, c.ports);
    }
    EXPECT_EQ(c.MasterConnections(), 1u);
    const auto requests = c.cluster.master().Requests();
    EXPECT_EQ(std::count(requests[0].begin(), requests[0].end(), kInfo), 5);
    for (const auto& log : c.logs) {
        EXPECT_EQ(log->connections.load(), 1);
        EXPECT_EQ(log->hdd_lists.load(), 5);
    }
    const HttpResponse m = Get(e->port(), "/metrics");
    ASSERT_EQ(m.status, 200) << m;
    // The first probe opens 3 connections; the other four borrow all 3 back.
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_connection_reuses_total"), 12.0) << m.body;
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_connection_misses_total"), 3.0) << m.body;
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_connection_drops_total"), 0.0) << m.body;
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_idle_connections"), 3.0) << m.body;
    EXPECT_THAT(c.cluster.master().Mismatches(), IsEmpty());
}

// Peers that close a kept connection (a master or chunkserver restarted, a firewall's idle
// timeout): each costs the next probe a fresh connection, never mfsmon_up 0 nor a chunkserver
// lost. Here every NOP the exporter sends on an idle connection (after 1.5 s of silence, on
// its once-a-second round) makes the peer close it; the probes come in bursts with pauses of
// 2.6 s, so that burst after burst meets connections closed under it.
TEST_F(ExporterTest, KeptConnectionsClosedByThePeersCostAReconnectNotAScrape) {
    FakeCluster cluster;
    std::vector<std::uint16_t> ports;
    std::vector<std::shared_ptr<ChunkserverLog>> logs;
    for (int n = 1; n <= 2; ++n) {
        logs.push_back(std::make_shared<ChunkserverLog>());
        ports.push_back(cluster.AddChunkserver(KeptHdd(RecordedHddAnswer(n), logs.back(), true),
                                               RecordedEntry(n)));
    }
    cluster.StartMaster(ExchangesWithNop(), [](int, std::uint32_t type) {
        return type == kNop ? ScriptedMaster::Action::kClose : ScriptedMaster::Action::kAnswer;
    });
    auto* e = Start({});
    ASSERT_NE(e, nullptr);
    const std::string probe = "/probe?target=" + FakeCluster::Name(cluster.master().port());
    const auto start = Clock::now();
    int probes = 0;
    while (SecondsSince(start) < 8.0) {
        const HttpResponse r = Get(e->port(), probe);
        ++probes;
        ASSERT_EQ(r.status, 200) << r;
        ASSERT_EQ(Sample(r.body, "mfsmon_up"), 1.0) << "probe " << probes << ":\n" << r.body;
        ExpectChunkserversUp(r.body, ports);
        std::this_thread::sleep_for(probes % 10 == 0 ? 2600ms : 20ms);
    }
    const std::size_t connections = cluster.master().Requests().size();
    std::printf("[   INFO   ] %d probes, %zu master connections, chunkservers %d and %d\n", probes,
                connections, logs[0]->connections.load(), logs[1]->connections.load());
    EXPECT_GE(connections, 2u) << "the peers closed nothing: the test tested nothing";
    EXPECT_LT(connections, static_cast<std::size_t>(probes));
    EXPECT_THAT(cluster.master().Mismatches(), IsEmpty());
}

// ---- 6. --allow-target ---------------------------------------------------------------------

TEST_F(ExporterTest, RefusedTargetIsNeverConnected) {
    KeptCluster c(1);
    auto* restricted = Start({"--allow-target", "10.0.0.0/8", "--allow-target", "otherhost",
                              "--allow-target", "localhost"});
    ASSERT_NE(restricted, nullptr);
    const HttpResponse r = Get(restricted->port(), c.ProbePath());
    EXPECT_EQ(r.status, 403) << r;
    EXPECT_EQ(r.body, fmt::format("target {} is not allowed by --allow-target\n",
                                  FakeCluster::Name(c.master_port())));
    // Another loopback address, same port: refused too.
    EXPECT_EQ(Get(restricted->port(), "/probe?target=127.0.0.2:" + std::to_string(c.master_port()))
                  .status,
              403);
    std::this_thread::sleep_for(100ms);  // a connection, had one been made, would show by now
    EXPECT_EQ(c.MasterConnections(), 0u);
    EXPECT_EQ(c.logs[0]->connections.load(), 0);
    const HttpResponse m = Get(restricted->port(), "/metrics");
    ASSERT_EQ(m.status, 200) << m;
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_refused_targets_total"), 2.0) << m.body;
    EXPECT_EQ(Sample(m.body, "mfsmon_exporter_http_requests_total{code=\"403\",handler=\"probe\"}"),
              2.0)
        << m.body;

    // Loopback allowed by CIDR: probed.
    auto* loopback = Start({"--allow-target", "10.0.0.0/8", "--allow-target", "127.0.0.0/8"});
    ASSERT_NE(loopback, nullptr);
    const HttpResponse ok = Get(loopback->port(), c.ProbePath());
    ASSERT_EQ(ok.status, 200) << ok;
    EXPECT_EQ(Sample(ok.body, "mfsmon_up"), 1.0) << ok.body;
    EXPECT_EQ(c.MasterConnections(), 1u);
    const HttpResponse m2 = Get(loopback->port(), "/metrics");
    EXPECT_EQ(Sample(m2.body, "mfsmon_exporter_refused_targets_total"), 0.0) << m2.body;
}

// ---- 7. hostile HTTP ---------------------------------------------------------------------------

// Each step against one exporter started with --http-threads 2; HostileHttp.AllInOneExporter
// runs them all on one and then looks at its memory.

void ExpectAlive(ExporterProcess& e) {
    ASSERT_TRUE(e.Alive()) << e.Log();
    const HttpResponse m = Get(e.port(), "/metrics", {}, 10);
    EXPECT_EQ(m.status, 200) << m;
    EXPECT_THAT(m.body, HasSubstr("mfsmon_exporter_build_info"));
}

bool OneLine(const std::string& body) {
    if (body.empty() || body.back() != '\n') return false;
    return std::none_of(body.begin(), body.end() - 1,
                        [](char ch) { return std::iscntrl(static_cast<unsigned char>(ch)) != 0; });
}

void BadTargetsAre400(ExporterProcess& e) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/probe", "the target parameter is missing"},
        {"/probe?", "the target parameter is missing"},
        {"/probe?module=x", "the target parameter is missing"},
        {"/probe?target=", "bad target"},
        {"/probe?target=a%20b", "bad target"},
        {"/probe?target=a%0Ab", "bad target"},
        {"/probe?target=a%0D%0AX-Injected:%201", "bad target"},
        {"/probe?target=a%00b", "bad target"},
        {"/probe?target=%1B%5B31m", "bad target"},
        {"/probe?target=" + std::string(300, 'a'), "bad target"},
        {"/probe?target=" + std::string(600, 'a'), "too long"},
        {"/probe?target=[::1", "bad target"},
        {"/probe?target=%5B::1", "bad target"},
        {"/probe?target=127.0.0.1:", "bad target"},
        {"/probe?target=127.0.0.1:99999", "bad target"},
        {"/probe?target=127.0.0.1:0x10", "bad target"},
        {"/probe?target=:9421", "bad target"},
    };
    for (const auto& [path, why] : cases) {
        const HttpResponse r = Get(e.port(), path);
        EXPECT_EQ(r.status, 400) << path << ": " << r;
        EXPECT_THAT(r.body, HasSubstr(why)) << path;
        EXPECT_TRUE(OneLine(r.body)) << path << ": not one printable line: " << r.body;
        EXPECT_LT(r.body.size(), 1024u) << path;
        EXPECT_THAT(r.headers, Not(testing::Contains(testing::Key("x-injected"))));
    }
}

void WrongMethodsAndPathsAre4xx(ExporterProcess& e) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
        const HttpResponse r =
            RawRequest(e.port(), fmt::format("{} /probe?target=127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n"
                                             "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                             method));
        EXPECT_EQ(r.status, 405) << method << ": " << r;
    }
    for (const char* path : {"/foo", "/index.html", "/../etc/passwd", "/cgi-bin/x"}) {
        const HttpResponse r = Get(e.port(), path);
        EXPECT_GE(r.status, 400) << path << ": " << r;
        EXPECT_LT(r.status, 500) << path << ": " << r;
    }
    EXPECT_EQ(Get(e.port(), "/foo").status, 404);
    // Not HTTP at all.
    const HttpResponse junk = RawRequest(
        e.port(),
        std::string("\x16\x03\x01\x02\x00\x01\x00", 7) + std::string(200, '\xff') + "\r\n\r\n", 5);
    EXPECT_FALSE(junk.timed_out) << junk;
    EXPECT_TRUE(junk.status == 0 || junk.status >= 400) << junk;
}

// A request far over max_request_size: refused or cut, at once, never 2xx.
void ExpectRefusedQuickly(const HttpResponse& r, const char* what) {
    EXPECT_FALSE(r.timed_out) << what << ": " << r;
    EXPECT_TRUE(r.status == 0 || (r.status >= 400 && r.status < 500)) << what << ": " << r;
    EXPECT_LT(r.seconds, 3 + kSanitizerSlack) << what << ": " << r;
}

void HugeRequestsAreRefused(ExporterProcess& e) {
    ExpectRefusedQuickly(Get(e.port(), "/probe?target=" + std::string(100 * 1024, 'a'), {}, 10),
                         "100 KiB URL");
    std::vector<std::string> headers;
    for (int i = 0; i < 20; ++i)
        headers.push_back(fmt::format("X-Pad-{}: {}", i, std::string(1000, 'p')));
    ExpectRefusedQuickly(Get(e.port(), "/metrics", headers, 10), "20 KiB of headers");
    ExpectRefusedQuickly(
        Get(e.port(), "/metrics", {"X-One-Big: " + std::string(20 * 1024, 'b')}, 10),
        "one 20 KiB header");
    // A request line without end, more than the limit: no waiting for the rest.
    ExpectRefusedQuickly(RawRequest(e.port(), "GET /" + std::string(64 * 1024, 'x'), 10),
                         "64 KiB request line without end");
}

void SlowClientDoesNotBlockOthers(ExporterProcess& e) {
    HttpConnection slow(e.port());
    ASSERT_TRUE(slow.connected());
    ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\n"));  // and nothing more: one worker waits
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 3; ++i) {
        const HttpResponse r = Get(e.port(), "/", {}, 5);
        EXPECT_EQ(r.status, 200) << r;
        EXPECT_LT(r.seconds, 0.5 + kSanitizerSlack) << r;
    }
}

void ManyVanishingConnections(ExporterProcess& e) {
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < 2048 && files.rlim_max >= 2048) {
        files.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    std::vector<int> fds;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(e.port());
    for (int i = 0; i < 1000; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ASSERT_GE(fd, 0) << "socket " << i << ": " << std::strerror(errno);
        fds.push_back(fd);
        const int rc = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ASSERT_TRUE(rc == 0 || errno == EINPROGRESS)
            << "connect " << i << ": " << std::strerror(errno);
    }
    for (int fd : fds) close(fd);
    ExpectAlive(e);
    const HttpResponse r = Get(e.port(), "/", {}, 10);
    EXPECT_EQ(r.status, 200) << r;
}

void ExpectSmall(ExporterProcess& e) {
    const long rss = RssKb(e.pid());
    std::printf("[   RSS    ] %s: %ld KiB\n", TestName().c_str(), rss);
    EXPECT_GT(rss, 0);
    EXPECT_LT(rss, kMaxRssKb);
}

class HostileHttp : public ExporterTest {
  protected:
    ExporterProcess* StartHostile() { return Start({"--http-threads", "2"}); }
};

TEST_F(HostileHttp, BadTargetsAre400WithOneLine) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    BadTargetsAre400(*e);
    ExpectAlive(*e);
}

TEST_F(HostileHttp, WrongMethodsAndUnknownPathsAre4xx) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    WrongMethodsAndPathsAre4xx(*e);
    ExpectAlive(*e);
}

// Only /, /metrics and /probe are pages: civetweb hands a handler every URI its path is a
// prefix of (and matches case-insensitively), so each handler must check the path itself, as
// the landing page does. A probe served on /probe.html, or metrics on /metrics.txt, would be
// a page the docs never name.
TEST_F(HostileHttp, OnlyExactPathsAreServed) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    for (const char* path : {"/metrics.txt", "/metricsfoo", "/metrics/x", "/METRICS",
                             "/probe.html?target=127.0.0.1:1", "/probe/x?target=127.0.0.1:1",
                             "/probex?target=127.0.0.1:1", "/PROBE?target=127.0.0.1:1"}) {
        const HttpResponse r = Get(e->port(), path);
        EXPECT_EQ(r.status, 404) << path << ": " << r.status << " " << r.body.substr(0, 200);
    }
    EXPECT_EQ(Get(e->port(), "/metrics").status, 200);
    EXPECT_EQ(Get(e->port(), "/metrics?x=1").status, 200);
    ExpectAlive(*e);
}

TEST_F(HostileHttp, HugeUrlAndHeadersAreRefusedNotWaitedFor) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    HugeRequestsAreRefused(*e);
    ExpectAlive(*e);
}

TEST_F(HostileHttp, SlowClientDoesNotBlockOtherRequests) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    SlowClientDoesNotBlockOthers(*e);
    ExpectAlive(*e);
}

TEST_F(HostileHttp, ThousandVanishingConnectionsLeaveItServing) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    ManyVanishingConnections(*e);
}

TEST_F(HostileHttp, AllInOneExporterStaysSmall) {
    auto* e = StartHostile();
    ASSERT_NE(e, nullptr);
    for (int round = 0; round < 3; ++round) {
        BadTargetsAre400(*e);
        WrongMethodsAndPathsAre4xx(*e);
        HugeRequestsAreRefused(*e);
        SlowClientDoesNotBlockOthers(*e);
        ManyVanishingConnections(*e);
    }
    ExpectAlive(*e);
    ExpectSmall(*e);
}

// ---- 8. gzip
// -------------------------------------------------------------------------------------

TEST_F(ExporterTest, GzipWhenAsked) {
    KeptCluster c(2);
    auto* e = Start({});
    ASSERT_NE(e, nullptr);

    const HttpResponse gz = Get(e->port(), c.ProbePath(), {"Accept-Encoding: gzip, deflate"});
    ASSERT_EQ(gz.status, 200) << gz;
    EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
    const auto text = Gunzip(gz.body);
    ASSERT_TRUE(text.has_value()) << "not a whole gzip stream (" << gz.body.size() << " bytes)";
    EXPECT_EQ(Sample(*text, "mfsmon_up"), 1.0) << *text;
    EXPECT_LT(gz.body.size(), text->size());

    for (const std::vector<std::string>& headers : {std::vector<std::string>{},
                                                    {"Accept-Encoding: gzip;q=0, identity"},
                                                    {"Accept-Encoding: identity"}}) {
        const HttpResponse plain = Get(e->port(), c.ProbePath(), headers);
        ASSERT_EQ(plain.status, 200) << plain;
        EXPECT_EQ(plain.Header("Content-Encoding"), "")
            << (headers.empty() ? "no header" : headers[0]);
        EXPECT_EQ(Sample(plain.body, "mfsmon_up"), 1.0) << plain.body;
    }
}

// ---- 9. /metrics with --master -------------------------------------------------------------

TEST_F(ExporterTest, MetricsWithMasters) {
    ASSERT_EQ(access(kPromtool, X_OK), 0)
        << kPromtool << " is missing: install the Debian package prometheus";
    KeptCluster one(2), two(1);
    const std::string m1 = FakeCluster::Name(one.master_port());
    const std::string m2 = FakeCluster::Name(two.master_port());
    auto* e = Start({"--master", m1, "--master", m2});
    ASSERT_NE(e, nullptr);

    const HttpResponse r = Get(e->port(), "/metrics");
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(Sample(r.body, fmt::format("mfsmon_up{{master=\"{}\"}}", m1)), 1.0) << r.body;
    EXPECT_EQ(Sample(r.body, fmt::format("mfsmon_up{{master=\"{}\"}}", m2)), 1.0) << r.body;
    EXPECT_EQ(CountLinesStartingWith(r.body, "# TYPE mfsmon_up "), 1u) << r.body;
    EXPECT_EQ(CountLinesStartingWith(r.body, "# HELP mfsmon_up "), 1u) << r.body;
    EXPECT_THAT(r.body, Not(HasSubstr("# mfsmon:")));
    for (auto port : one.ports) {
        EXPECT_EQ(SamplesWithLabel(r.body, "mfsmon_chunkserver_disks_success",
                                   fmt::format("server=\"{}\"", FakeCluster::Name(port))),
                  std::vector<double>{1});
    }
    EXPECT_EQ(SamplesWithLabel(r.body, "mfsmon_chunkserver_disks_success",
                               fmt::format("master=\"{}\"", m1))
                  .size(),
              2u);
    EXPECT_EQ(SamplesWithLabel(r.body, "mfsmon_chunkserver_disks_success",
                               fmt::format("master=\"{}\"", m2))
                  .size(),
              1u);
    EXPECT_GT(CountLinesStartingWith(r.body, "process_"), 0u) << r.body;
    EXPECT_TRUE(Sample(r.body, "process_resident_memory_bytes").has_value()) << r.body;
    EXPECT_TRUE(Sample(r.body, "mfsmon_exporter_connection_reuses_total").has_value());

    const ToolRun check = PromtoolCheckMetrics(r.body);
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_THAT(check.output, IsEmpty());

    // Twice more: the kept connections serve again, the text stays valid.
    for (int i = 0; i < 2; ++i) {
        const HttpResponse again = Get(e->port(), "/metrics");
        ASSERT_EQ(again.status, 200) << again;
        EXPECT_EQ(Sample(again.body, fmt::format("mfsmon_up{{master=\"{}\"}}", m2)), 1.0);
    }
    EXPECT_EQ(one.MasterConnections(), 1u);
    EXPECT_EQ(two.MasterConnections(), 1u);
}

}  // namespace
}  // namespace mfsmon::fault
