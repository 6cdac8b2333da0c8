// The history never changes a check's answer: the real binary against the fake 3.0.117
// master, with the state directory in every bad shape a machine can give it (not a
// directory, not creatable, a corrupt or truncated store, a store another run holds, a
// symlink planted where the store goes). In each the check gives exactly the state and first
// line of a --no-history run, ends within -t, and says in its long output why there is no
// trend. The store's own tests (tests/unit/history/) cover the same at the API level.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_cluster.h"

namespace mfsmon::fault {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

#ifdef MFSMON_SANITIZED
constexpr double kSlackSeconds = 3.0;
#else
constexpr double kSlackSeconds = 1.0;
#endif

std::string FirstLine(const std::string& out) {
    return out.substr(0, out.find('\n'));
}

// The status line without perfdata and without the trend clause (", no history yet").
std::string Verdict(const std::string& out) {
    std::string line = FirstLine(out);
    line = line.substr(0, line.find(" | "));
    return line.substr(0, line.find(", no history yet"));
}

class HistoryFault : public ::testing::Test {
  protected:
    void SetUp() override {
        cluster_.StartMaster();
        char tmpl[] = "/tmp/mfsmon-history-fault-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        baseline_ = Run({"--no-history"});
        ASSERT_FALSE(baseline_.killed);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    Outcome Run(std::vector<std::string> extra, const std::string& timeout = "2") {
        std::vector<std::string> args = {
            "check", "replicas", "-H", "127.0.0.1", "-P", std::to_string(cluster_.master().port()),
            "-t",    timeout};
        args.insert(args.end(), extra.begin(), extra.end());
        return RunMfsmon(args);
    }
    Outcome RunIn(const fs::path& state, const std::string& timeout = "2") {
        return Run({"--state-dir", state.string()}, timeout);
    }

    // Same state and verdict as without history, in time.
    void ExpectSameAnswer(const Outcome& o, double timeout_s = 2) {
        EXPECT_FALSE(o.killed);
        EXPECT_EQ(o.exit_code, baseline_.exit_code) << o.out;
        EXPECT_EQ(Verdict(o.out), Verdict(baseline_.out)) << o.out;
        EXPECT_EQ(o.err, "");
        EXPECT_LT(o.seconds, timeout_s + kSlackSeconds);
    }

    FakeCluster cluster_;
    fs::path dir_;
    Outcome baseline_;
};

TEST_F(HistoryFault, AFreshDirectorySaysNoHistoryYetThenMeasures) {
    const Outcome first = RunIn(dir_ / "state");
    ExpectSameAnswer(first);
    EXPECT_THAT(first.out, HasSubstr("no history yet"));
    const Outcome second = RunIn(dir_ / "state");
    ExpectSameAnswer(second);
    EXPECT_THAT(second.out, Not(HasSubstr("no history yet")));
    EXPECT_TRUE(fs::is_regular_file(dir_ / "state" / "history.mdb"));
}

TEST_F(HistoryFault, AFileWhereTheDirectoryShouldBe) {
    std::ofstream(dir_ / "file") << "not a directory";
    const Outcome o = RunIn(dir_ / "file");
    ExpectSameAnswer(o);
    EXPECT_THAT(o.out, HasSubstr("history off: "));
}

TEST_F(HistoryFault, ADirectoryThatCannotBeCreated) {
    // Even root cannot create a folder under /proc.
    const Outcome o = RunIn("/proc/mfsmon-history-fault/state");
    ExpectSameAnswer(o);
    EXPECT_THAT(o.out, HasSubstr("history off: "));
}

TEST_F(HistoryFault, ACorruptStoreIsMovedAsideAndANewOneStarted) {
    ASSERT_EQ(RunIn(dir_).exit_code, baseline_.exit_code);
    std::mt19937 rng(7);
    {
        std::fstream f(dir_ / "history.mdb", std::ios::in | std::ios::out | std::ios::binary);
        for (int i = 0; i < 16384; ++i) f.put(static_cast<char>(rng()));
    }
    const Outcome o = RunIn(dir_);
    ExpectSameAnswer(o);
    EXPECT_THAT(o.out, HasSubstr("history reset"));
    bool moved_aside = false;
    for (const auto& e : fs::directory_iterator(dir_)) {
        moved_aside |= e.path().filename().string().starts_with("history.mdb.corrupt-");
    }
    EXPECT_TRUE(moved_aside);
    const Outcome after = RunIn(dir_);
    ExpectSameAnswer(after);
    EXPECT_THAT(after.out, Not(HasSubstr("history reset")));
}

TEST_F(HistoryFault, ATruncatedStore) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(RunIn(dir_).exit_code, baseline_.exit_code);
    const auto size = fs::file_size(dir_ / "history.mdb");
    fs::resize_file(dir_ / "history.mdb", size / 2);
    const Outcome o = RunIn(dir_);
    ExpectSameAnswer(o);
    ExpectSameAnswer(RunIn(dir_));
}

TEST_F(HistoryFault, AStoreAnotherRunHoldsCostsAtMostATenthOfTheTimeout) {
    ASSERT_EQ(RunIn(dir_).exit_code, baseline_.exit_code);
    // Another run in the middle of its write: it holds the writers' lock.
    const int fd = ::open((dir_ / "history.mdb-writer").c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX), 0);
    const Outcome o = RunIn(dir_, "5");
    ::close(fd);
    ExpectSameAnswer(o, 5);
    EXPECT_THAT(o.out, HasSubstr("history not saved"));
    EXPECT_THAT(o.out, Not(HasSubstr("no history yet")));  // the read did not wait
    EXPECT_LT(o.seconds, 0.5 + kSlackSeconds);             // a tenth of -t 5, plus the run
}

TEST_F(HistoryFault, ASymlinkPlantedWhereTheStoreGoesIsNeverFollowed) {
    const fs::path victim = dir_ / "victim";
    std::ofstream(victim) << "precious";
    fs::create_directory(dir_ / "state", dir_);
    fs::permissions(dir_ / "state", fs::perms::owner_all);
    fs::create_symlink(victim, dir_ / "state" / "history.mdb");
    const Outcome o = RunIn(dir_ / "state");
    ExpectSameAnswer(o);
    EXPECT_THAT(o.out, HasSubstr("symlink"));
    std::ifstream in(victim);
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "precious");
}

}  // namespace
}  // namespace mfsmon::fault
