// What the history tests share: throw-away directories, samples, and running a piece of a
// test in a forked child so that a crash or a hang is seen as such (a signal, a timeout)
// instead of taking the test binary down with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "history/history_store.h"
#include "model/trend_sample.h"

namespace mfsmon::history::test {

// mkdtemp under /tmp; removed with everything in it when it goes.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// A sample at `time_ms` of cluster `metadata_id`, with `servers` chunkservers and counts
// derived from the time (so that samples differ).
model::TrendSample MakeSample(std::int64_t time_ms, std::uint64_t metadata_id = 7, int servers = 3);

// Options on `dir` with a retention and read window wide enough to keep and return
// everything a test writes unless it says otherwise.
StoreOptions WideOptions(const std::filesystem::path& dir);

std::chrono::steady_clock::time_point After(std::chrono::milliseconds ms);

struct ChildExit {
    bool exited = false;     // exited (rather than killed by a signal or by the time limit)
    int code = -1;           // its exit code, when exited
    int signal = 0;          // the signal that ended it
    bool timed_out = false;  // still running at the limit (then killed)
    std::chrono::milliseconds took{0};
};

// Runs fn in a forked child that exits with fn's return value; waits at most `limit`.
ChildExit RunInChild(const std::function<int()>& fn, std::chrono::milliseconds limit);

std::vector<std::int64_t> Times(const std::vector<model::TrendSample>& samples);

}  // namespace mfsmon::history::test
