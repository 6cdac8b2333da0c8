#include "store_test_support.h"

#include <cstdlib>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mfsmon::history::test {

TempDir::TempDir() {
    char name[] = "/tmp/mfsmon-history-test-XXXXXX";
    if (::mkdtemp(name) == nullptr) std::abort();
    path_ = name;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

model::TrendSample MakeSample(std::int64_t time_ms, std::uint64_t metadata_id, int servers) {
    model::TrendSample s;
    s.time_ms = time_ms;
    s.metadata_id = metadata_id;
    const auto n = static_cast<std::uint64_t>(time_ms % 100000);
    for (std::uint8_t row : {1, 2, 3}) {
        model::RowCounts r;
        r.row = row;
        r.all[model::ChunkClass::kStable] = 1000 + n + row;
        r.all[model::ChunkClass::kUndergoal] = n / 7;
        r.regular = r.all;
        r.regular[model::ChunkClass::kEndangered] = n % 11;
        s.rows.push_back(r);
    }
    s.loop_start = 1700000000;
    s.loop_end = 1700000300;
    s.servers_known = servers > 0;
    for (int i = 0; i < servers; ++i) {
        model::ServerSample cs;
        cs.server = "198.18.0." + std::to_string(10 + i) + ":9422";
        cs.csid = static_cast<std::uint16_t>(i + 1);
        cs.connected = true;
        cs.marked_chunks = static_cast<std::uint32_t>(i == 0 ? n : 0);
        s.servers.push_back(cs);
    }
    return s;
}

StoreOptions WideOptions(const std::filesystem::path& dir) {
    StoreOptions o;
    o.dir = dir;
    o.retention.max_age = std::chrono::hours(24 * 365 * 100);
    o.retention.max_rows = 1000000;
    o.read.window = std::chrono::hours(24 * 365 * 100);
    o.read.max_rows = 1000000;
    return o;
}

std::chrono::steady_clock::time_point After(std::chrono::milliseconds ms) {
    return std::chrono::steady_clock::now() + ms;
}

ChildExit RunInChild(const std::function<int()>& fn, std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) std::abort();
    if (pid == 0) ::_exit(fn());
    ChildExit result;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::steady_clock::now() - start > limit) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    result.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (!result.timed_out && WIFEXITED(status)) {
        result.exited = true;
        result.code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    return result;
}

std::vector<std::int64_t> Times(const std::vector<model::TrendSample>& samples) {
    std::vector<std::int64_t> t;
    for (const auto& s : samples) t.push_back(s.time_ms);
    return t;
}

}  // namespace mfsmon::history::test
