#include "history/history_store.h"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history/sample_codec.h"
#include "history/writer_lock.h"
#include "store_test_support.h"

namespace mfsmon::history {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using test::After;
using test::MakeSample;
using test::Times;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const SeriesKey kKey{"mfsmaster:9421", 7};
constexpr std::int64_t kT0 = 1796280000000;  // ms
constexpr std::int64_t kMinute = 60 * 1000;

HistoryOutcome Record(const StoreOptions& o, const SeriesKey& key, std::int64_t t) {
    return RecordAndRead(o, key, MakeSample(t, key.metadata_id), After(milliseconds(2000)));
}

std::vector<std::int64_t> Stored(const StoreOptions& o, const SeriesKey& key) {
    StoreOptions wide = test::WideOptions(o.dir);
    HistoryOutcome r = ReadOnly(wide, key, After(milliseconds(2000)));
    EXPECT_THAT(r.notes, IsEmpty());
    return Times(r.previous);
}

class HistoryStoreTest : public ::testing::Test {
  protected:
    test::TempDir tmp_;
    StoreOptions options_ = test::WideOptions(tmp_.path());
};

TEST_F(HistoryStoreTest, FirstRunReadsNothingAndSaves) {
    HistoryOutcome r = Record(options_, kKey, kT0);
    EXPECT_TRUE(r.saved);
    EXPECT_THAT(r.previous, IsEmpty());
    EXPECT_THAT(r.notes, IsEmpty());
    for (const char* name : {"history.mdb", "history.mdb-lock", "history.mdb-writer"}) {
        struct stat st {};
        ASSERT_EQ(::lstat((tmp_.path() / name).c_str(), &st), 0) << name;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    }
}

TEST_F(HistoryStoreTest, LaterRunsReadTheSeriesBeforeTheirOwnSampleOldestFirst) {
    Record(options_, kKey, kT0);
    Record(options_, kKey, kT0 + kMinute);
    HistoryOutcome r = Record(options_, kKey, kT0 + 2 * kMinute);
    EXPECT_TRUE(r.saved);
    EXPECT_THAT(Times(r.previous), ElementsAre(kT0, kT0 + kMinute));
    ASSERT_EQ(r.previous.size(), 2u);
    EXPECT_EQ(r.previous[1], MakeSample(kT0 + kMinute, 7));  // the whole sample comes back
    EXPECT_THAT(Stored(options_, kKey), ElementsAre(kT0, kT0 + kMinute, kT0 + 2 * kMinute));
}

TEST_F(HistoryStoreTest, SeriesStaySeparate) {
    const SeriesKey other_endpoint{"mfsmaster:94210", 7};  // the first one's prefix and more
    const SeriesKey other_cluster{"mfsmaster:9421", 8};    // same address, another cluster
    for (int i = 0; i < 4; ++i) {
        Record(options_, kKey, kT0 + i * kMinute);
        Record(options_, other_endpoint, kT0 + i * kMinute + 1);
        Record(options_, other_cluster, kT0 + i * kMinute + 2);
    }
    HistoryOutcome r = Record(options_, kKey, kT0 + 10 * kMinute);
    EXPECT_THAT(Times(r.previous),
                ElementsAre(kT0, kT0 + kMinute, kT0 + 2 * kMinute, kT0 + 3 * kMinute));
    for (const auto& s : r.previous) EXPECT_EQ(s.metadata_id, 7u);
    EXPECT_THAT(
        Stored(options_, other_endpoint),
        ElementsAre(kT0 + 1, kT0 + kMinute + 1, kT0 + 2 * kMinute + 1, kT0 + 3 * kMinute + 1));
    const auto cluster = Stored(options_, other_cluster);
    ASSERT_EQ(cluster.size(), 4u);
    EXPECT_EQ(cluster.front(), kT0 + 2);
    EXPECT_THAT(Stored(options_, SeriesKey{"mfsmaster", 7}), IsEmpty());
}

TEST_F(HistoryStoreTest, RetentionDropsSamplesOlderThanMaxAgeBeforeTheNewest) {
    options_.retention.max_age = std::chrono::seconds(600);
    for (int i = 0; i <= 20; ++i) Record(options_, kKey, kT0 + i * kMinute);
    // newest at 20 min: 10 min before it is kept, older is gone
    const auto stored = Stored(options_, kKey);
    ASSERT_EQ(stored.size(), 11u);
    EXPECT_EQ(stored.front(), kT0 + 10 * kMinute);
    EXPECT_EQ(stored.back(), kT0 + 20 * kMinute);
}

TEST_F(HistoryStoreTest, RetentionKeepsAtMostMaxRowsPerSeries) {
    options_.retention.max_rows = 5;
    options_.retention.row_cap_every = 1;  // the cap's walk on every write
    const SeriesKey other{"other:9421", 7};
    for (int i = 0; i < 3; ++i) Record(options_, other, kT0 + i);
    for (int i = 0; i < 12; ++i) Record(options_, kKey, kT0 + i * kMinute);
    EXPECT_THAT(Stored(options_, kKey),
                ElementsAre(kT0 + 7 * kMinute, kT0 + 8 * kMinute, kT0 + 9 * kMinute,
                            kT0 + 10 * kMinute, kT0 + 11 * kMinute));
    EXPECT_EQ(Stored(options_, other).size(), 3u);  // another series is not touched
}

TEST_F(HistoryStoreTest, TheRowCapIsAppliedOnSomeWritesAndTheAgeOnEvery) {
    options_.retention.max_rows = 5;
    options_.retention.max_age = std::chrono::seconds(30 * 60);
    options_.retention.row_cap_every = 1000000;  // practically never: the age alone
    for (int i = 0; i < 40; ++i) Record(options_, kKey, kT0 + i * kMinute);
    // 31 within 30 min of the newest (39 min): the age dropped the others on every write,
    // the cap (5) was not walked.
    EXPECT_EQ(Stored(options_, kKey).size(), 31u);
    EXPECT_EQ(Stored(options_, kKey).front(), kT0 + 9 * kMinute);
    options_.retention.row_cap_every = 1;
    Record(options_, kKey, kT0 + 40 * kMinute);
    EXPECT_EQ(Stored(options_, kKey).size(), 5u);
}

TEST_F(HistoryStoreTest, ReadsOnlyTheWindowBeforeTheNewest) {
    for (int i = 0; i < 10; ++i) Record(options_, kKey, kT0 + i * kMinute);
    options_.read.window = std::chrono::seconds(3 * 60);
    HistoryOutcome r = Record(options_, kKey, kT0 + 100 * kMinute);
    // the newest stored is at 9 min: 6..9 are within 3 min of it
    EXPECT_THAT(Times(r.previous), ElementsAre(kT0 + 6 * kMinute, kT0 + 7 * kMinute,
                                               kT0 + 8 * kMinute, kT0 + 9 * kMinute));
}

TEST_F(HistoryStoreTest, ReadsAtMostMaxRowsTheNewest) {
    for (int i = 0; i < 10; ++i) Record(options_, kKey, kT0 + i * kMinute);
    options_.read.max_rows = 3;
    HistoryOutcome r = ReadOnly(options_, kKey, After(milliseconds(500)));
    EXPECT_THAT(Times(r.previous),
                ElementsAre(kT0 + 7 * kMinute, kT0 + 8 * kMinute, kT0 + 9 * kMinute));
    options_.read.max_rows = 0;
    EXPECT_THAT(ReadOnly(options_, kKey, After(milliseconds(500))).previous, IsEmpty());
}

TEST_F(HistoryStoreTest, NegativeAndSameTimes) {
    Record(options_, kKey, -5);
    Record(options_, kKey, 3);
    Record(options_, kKey, -7);
    Record(options_, kKey, 3);  // the same time again replaces the sample
    EXPECT_THAT(Stored(options_, kKey), ElementsAre(-7, -5, 3));
}

// Writes raw bytes under a key of the series, through LMDB itself.
void PutRaw(const fs::path& dir, const SeriesKey& key, std::int64_t time_ms,
            const std::string& value) {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_mapsize(env, std::size_t{256} << 20), 0);
    ASSERT_EQ(mdb_env_open(env, (dir / "history.mdb").c_str(), MDB_NOSUBDIR, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, nullptr, 0, &dbi), 0);
    std::string k = key.endpoint;
    k.push_back('\0');
    for (int s = 56; s >= 0; s -= 8) k.push_back(static_cast<char>(key.metadata_id >> s));
    const std::uint64_t t = static_cast<std::uint64_t>(time_ms) ^ (std::uint64_t{1} << 63);
    for (int s = 56; s >= 0; s -= 8) k.push_back(static_cast<char>(t >> s));
    MDB_val mk{k.size(), k.data()};
    MDB_val mv{value.size(), const_cast<char*>(value.data())};
    ASSERT_EQ(mdb_put(txn, dbi, &mk, &mv, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

TEST_F(HistoryStoreTest, SkipsADamagedSampleWithANote) {
    Record(options_, kKey, kT0);
    PutRaw(tmp_.path(), kKey, kT0 + kMinute, "not a sample");
    // a valid sample under the wrong key (its time is not the key's) is damaged too
    const auto misplaced = EncodeSample(MakeSample(kT0, 7));
    PutRaw(tmp_.path(), kKey, kT0 + 2 * kMinute, std::string(misplaced.begin(), misplaced.end()));
    Record(options_, kKey, kT0 + 3 * kMinute);
    HistoryOutcome r = Record(options_, kKey, kT0 + 4 * kMinute);
    EXPECT_TRUE(r.saved);
    EXPECT_THAT(Times(r.previous), ElementsAre(kT0, kT0 + 3 * kMinute));
    EXPECT_THAT(r.notes, ElementsAre("history: 2 damaged samples skipped"));
}

TEST_F(HistoryStoreTest, ReadOnlyCreatesNothingAndTakesNoLock) {
    const fs::path dir = tmp_.path() / "empty";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    HistoryOutcome r = ReadOnly(test::WideOptions(dir), kKey, After(milliseconds(500)));
    EXPECT_THAT(r.previous, IsEmpty());
    EXPECT_THAT(r.notes, IsEmpty());
    EXPECT_TRUE(fs::is_empty(dir));

    Record(options_, kKey, kT0);
    fs::remove(tmp_.path() / "history.mdb-writer");
    EXPECT_THAT(Stored(options_, kKey), ElementsAre(kT0));
    EXPECT_FALSE(fs::exists(tmp_.path() / "history.mdb-writer"));
    EXPECT_FALSE(ReadOnly(options_, kKey, After(milliseconds(500))).saved);
}

TEST_F(HistoryStoreTest, RefusesSymlinksInTheStateDirectory) {
    const fs::path victim = tmp_.path() / "victim";
    std::ofstream(victim) << "precious";
    for (const char* name : {"history.mdb", "history.mdb-lock", "history.mdb-writer"}) {
        test::TempDir dir;
        const fs::path link = dir.path() / name;
        ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
        HistoryOutcome r = Record(test::WideOptions(dir.path()), kKey, kT0);
        EXPECT_FALSE(r.saved) << name;
        ASSERT_EQ(r.notes.size(), 1u) << name;
        EXPECT_THAT(r.notes[0], HasSubstr("symlink")) << name;
        EXPECT_EQ(fs::file_size(victim), 8u) << name;
        EXPECT_TRUE(fs::is_symlink(link)) << name;
    }
}

TEST_F(HistoryStoreTest, RefusesAnOverlongOrNulEndpoint) {
    HistoryOutcome r = Record(options_, SeriesKey{std::string(600, 'a'), 1}, kT0);
    EXPECT_FALSE(r.saved);
    EXPECT_THAT(r.notes, ElementsAre("history not used: the endpoint is longer than 494 bytes"));
    r = Record(options_, SeriesKey{std::string("a\0b", 3), 1}, kT0);
    EXPECT_THAT(r.notes, ElementsAre("history not used: the endpoint holds a NUL byte"));
    // the longest allowed works
    EXPECT_TRUE(Record(options_, SeriesKey{std::string(494, 'a'), 1}, kT0).saved);
}

// Root ignores permissions, so the unwritable directory is tried by a child that drops to
// nobody (65534).
int AsNobody(const std::function<int()>& fn) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) return 90;
    return fn();
}

TEST_F(HistoryStoreTest, AnUnwritableDirectoryIsANote) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
    ASSERT_EQ(::chmod(tmp_.path().c_str(), 0755), 0);
    const std::string expected =
        "history not saved: " + tmp_.path().string() + " is not writable (Permission denied)";
    auto run = [&] {
        return AsNobody([&] {
            HistoryOutcome r = Record(options_, kKey, kT0 + kMinute);
            const bool as_expected =
                !r.saved && r.previous.empty() && r.notes.size() == 1 && r.notes[0] == expected;
            if (!as_expected) {
                for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
            }
            return as_expected ? 0 : 1;
        });
    };
    // No store yet: nothing can be created.
    test::ChildExit child = test::RunInChild(run, milliseconds(5000));
    EXPECT_TRUE(child.exited);
    EXPECT_EQ(child.code, 0);
    EXPECT_TRUE(fs::is_empty(tmp_.path()));
    // A store of root's (0600): cannot be opened at all.
    Record(options_, kKey, kT0);
    child = test::RunInChild(run, milliseconds(5000));
    EXPECT_TRUE(child.exited);
    EXPECT_EQ(child.code, 0);
    EXPECT_THAT(Stored(options_, kKey), ElementsAre(kT0));
}

TEST_F(HistoryStoreTest, AFailedWriteIsANoteAndKeepsTheStore) {
    for (int i = 0; i < 3; ++i) Record(options_, kKey, kT0 + i * kMinute);
    const auto size = fs::file_size(tmp_.path() / "history.mdb");
    // The file may not grow (as on a full disk): a sample too big for the pages there are.
    test::ChildExit child = test::RunInChild(
        [&] {
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit limit{static_cast<rlim_t>(size), static_cast<rlim_t>(size)};
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 90;
            model::TrendSample big = MakeSample(kT0 + 10 * kMinute, 7, 2000);
            HistoryOutcome r = RecordAndRead(options_, kKey, big, After(milliseconds(2000)));
            for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
            const bool as_expected = !r.saved && r.previous.size() == 3 && r.notes.size() == 1 &&
                                     r.notes[0].find("history not saved: ") == 0 &&
                                     r.notes[0].find("File too large") != std::string::npos;
            return as_expected ? 0 : 1;
        },
        milliseconds(5000));
    EXPECT_TRUE(child.exited);
    EXPECT_EQ(child.code, 0);
    HistoryOutcome r = Record(options_, kKey, kT0 + 20 * kMinute);
    EXPECT_TRUE(r.saved);
    EXPECT_THAT(r.notes, IsEmpty());
    EXPECT_THAT(Times(r.previous), ElementsAre(kT0, kT0 + kMinute, kT0 + 2 * kMinute));
}

// How far past its deadline a run may return: the close after the wait, and a busy 2-core
// machine's scheduling. Sanitizer builds are slower at everything.
#if defined(__SANITIZE_ADDRESS__)
constexpr milliseconds kOvershoot{200};
#else
constexpr milliseconds kOvershoot{50};
#endif

// A child holds the writer lock (the same WriterLock a run takes) until killed.
class LockHolder {
  public:
    explicit LockHolder(const fs::path& dir) {
        int fds[2];
        if (::pipe(fds) != 0) std::abort();
        pid_ = ::fork();
        if (pid_ == 0) {
            auto lock = WriterLock::Acquire(dir, After(milliseconds(1000)));
            const char c = lock.ok() ? 'y' : 'n';
            if (::write(fds[1], &c, 1) != 1) ::_exit(1);
            ::sleep(30);
            ::_exit(0);
        }
        ::close(fds[1]);
        if (::read(fds[0], &state_, 1) != 1) state_ = '?';
        ::close(fds[0]);
    }
    ~LockHolder() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    bool held() const { return state_ == 'y'; }

  private:
    pid_t pid_ = -1;
    char state_ = '?';
};

TEST_F(HistoryStoreTest, ABusyStoreIsReadAndGivenUpOnAtTheDeadline) {
    Record(options_, kKey, kT0);
    {
        LockHolder holder(tmp_.path());
        ASSERT_TRUE(holder.held());
        const auto start = std::chrono::steady_clock::now();
        HistoryOutcome r =
            RecordAndRead(options_, kKey, MakeSample(kT0 + kMinute, 7), After(milliseconds(200)));
        const auto took = std::chrono::steady_clock::now() - start;
        EXPECT_GE(took, milliseconds(200));
        EXPECT_LT(took, milliseconds(200) + kOvershoot);
        EXPECT_FALSE(r.saved);
        EXPECT_THAT(Times(r.previous), ElementsAre(kT0));
        EXPECT_THAT(r.notes, ElementsAre("history not saved: the store was busy (another mfsmon "
                                         "run held it) until the deadline"));
        // Reading alone never waits.
        const auto read_start = std::chrono::steady_clock::now();
        EXPECT_THAT(Times(ReadOnly(options_, kKey, After(milliseconds(200))).previous),
                    ElementsAre(kT0));
        EXPECT_LT(std::chrono::steady_clock::now() - read_start, milliseconds(100));
    }
    EXPECT_TRUE(Record(options_, kKey, kT0 + 2 * kMinute).saved);  // free again once it died
}

TEST_F(HistoryStoreTest, HundredConcurrentRunsLeaveExactlyTheSavedSamples) {
    constexpr int kRuns = 100;
    const SeriesKey other{"other:9421", 9};
    std::vector<pid_t> pids;
    for (int i = 0; i < kRuns; ++i) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            // Every other run also writes a second series in between.
            const std::int64_t t = kT0 + i;
            if (i % 2 == 0) Record(options_, other, t);
            HistoryOutcome r =
                RecordAndRead(options_, kKey, MakeSample(t, 7), After(milliseconds(5000)));
            bool valid = std::all_of(r.previous.begin(), r.previous.end(), [&](const auto& s) {
                return s.metadata_id == 7 && s.time_ms != t;
            });
            valid = valid && std::is_sorted(r.previous.begin(), r.previous.end(),
                                            [](const auto& a, const auto& b) {
                                                return a.time_ms < b.time_ms;
                                            });
            if (r.saved) {
                valid = valid && r.notes.empty();
            } else {
                valid =
                    valid && r.notes.size() == 1 && r.notes[0].find("busy") != std::string::npos;
            }
            ::_exit(!valid ? 2 : r.saved ? 0 : 1);
        }
        pids.push_back(pid);
    }
    std::set<std::int64_t> saved;
    int not_saved = 0;
    for (int i = 0; i < kRuns; ++i) {
        int status = 0;
        ASSERT_EQ(::waitpid(pids[i], &status, 0), pids[i]);
        ASSERT_TRUE(WIFEXITED(status)) << "run " << i << " died of signal " << WTERMSIG(status);
        ASSERT_NE(WEXITSTATUS(status), 2) << "run " << i << " returned an invalid outcome";
        if (WEXITSTATUS(status) == 0) {
            saved.insert(kT0 + i);
        } else {
            ++not_saved;
        }
    }
    const auto stored = Stored(options_, kKey);
    EXPECT_EQ(std::set<std::int64_t>(stored.begin(), stored.end()), saved);
    EXPECT_EQ(stored.size(), saved.size());
    EXPECT_GT(saved.size(), 0u);
    for (std::int64_t t : Stored(options_, other)) EXPECT_EQ((t - kT0) % 2, 0);
    std::printf("%zu of %d concurrent runs saved, %d gave up at the deadline\n", saved.size(),
                kRuns, not_saved);
}

}  // namespace
}  // namespace mfsmon::history
