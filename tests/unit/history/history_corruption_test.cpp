// A damaged store must never crash or hang a run: it is moved aside and a new one started.
// Every damaged store is tried in a forked child, so that a crash shows up as a signal and a
// hang as a timeout, never as a lost test binary.
#include <fstream>
#include <random>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history/history_store.h"
#include "store_test_support.h"

namespace mfsmon::history {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using test::After;
using test::MakeSample;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr std::int64_t kT0 = 1796280000000;
constexpr milliseconds kDeadline{2000};
// Spawn, open, reset and write take milliseconds; the deadline bounds the rest.
constexpr milliseconds kChildLimit{kDeadline + milliseconds(3000)};
constexpr int kSeries = 5;
constexpr int kSamplesPerSeries = 100;

SeriesKey Key(int i) {
    return SeriesKey{"master-" + std::to_string(i) + ":9421", static_cast<std::uint64_t>(100 + i)};
}

using Bytes = std::string;

Bytes ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& p, const Bytes& b) {
    std::ofstream(p, std::ios::binary | std::ios::trunc)
        .write(b.data(), static_cast<std::streamsize>(b.size()));
}

// ~500 samples (of ~300 bytes: 8 chunkservers each) over several series, built once.
class HistoryCorruptionTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        store_ = new test::TempDir;
        const StoreOptions o = test::WideOptions(store_->path());
        for (int n = 0; n < kSamplesPerSeries; ++n) {
            for (int i = 0; i < kSeries; ++i) {
                auto r =
                    RecordAndRead(o, Key(i), MakeSample(kT0 + n * 60000, Key(i).metadata_id, 8),
                                  After(kDeadline));
                ASSERT_TRUE(r.saved);
            }
        }
        image_ = new Bytes(ReadFile(store_->path() / "history.mdb"));
    }
    static void TearDownTestSuite() {
        delete image_;
        delete store_;
    }

    // A fresh copy of the store, damaged by `damage`, used by one run in a child, then by
    // one more run here: both must work. Returns the child's notes' verdict.
    void TryDamaged(const std::string& what, const std::function<void(Bytes&)>& damage,
                    bool must_reset) {
        SCOPED_TRACE(what);
        test::TempDir dir;
        Bytes image = *image_;
        damage(image);
        WriteFile(dir.path() / "history.mdb", image);
        ::chmod((dir.path() / "history.mdb").c_str(), 0600);
        const StoreOptions o = test::WideOptions(dir.path());

        test::ChildExit child = test::RunInChild(
            [&] {
                ReadOnly(o, Key(1), After(kDeadline));
                HistoryOutcome r = RecordAndRead(o, Key(1), MakeSample(kT0 + 999 * 60000, 101, 8),
                                                 After(kDeadline));
                const bool reset = !r.notes.empty() && r.notes[0].rfind("history reset: ", 0) == 0;
                if ((must_reset && !reset) || !r.saved) {
                    for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
                    return 1;
                }
                return static_cast<int>(Seen(r.notes));
            },
            kChildLimit);
        ASSERT_FALSE(child.timed_out) << "hung";
        ASSERT_TRUE(child.exited) << "died of signal " << child.signal;
        ASSERT_GE(child.code, kSeenBase) << "not saved";
        ASSERT_LT(child.code, kSeenBase + kSeenKinds);
        ++tally_[child.code - kSeenBase];
        EXPECT_LE(child.took, kChildLimit);

        HistoryOutcome later =
            RecordAndRead(o, Key(1), MakeSample(kT0 + 1000 * 60000, 101, 8), After(kDeadline));
        EXPECT_TRUE(later.saved);
        // Damage the child's run did not reach (its read covers one series, its write one
        // path of the tree) may still be found now: a reset, or samples skipped.
        for (const auto& n : later.notes) {
            EXPECT_THAT(n,
                        MatchesRegex("history: [0-9]+ damaged samples? skipped|history reset: .*"));
        }
        if (must_reset) {
            // A new store holding the child's sample only.
            ASSERT_EQ(later.previous.size(), 1u);
            EXPECT_EQ(later.previous.back().time_ms, kT0 + 999 * 60000);
        }
    }

    void TearDown() override {
        std::printf(
            "children: %d found nothing wrong, %d skipped damaged samples, %d reset on an "
            "LMDB error, %d reset after a fault the guard caught\n",
            tally_[kNothing], tally_[kSkipped], tally_[kResetOnError], tally_[kResetOnFault]);
    }

    // What a child's run saw, as its exit code (kSeenBase + kind).
    enum Kind { kNothing, kSkipped, kResetOnError, kResetOnFault };
    static constexpr int kSeenBase = 10;
    static constexpr int kSeenKinds = 4;
    static int Seen(const std::vector<std::string>& notes) {
        Kind kind = kNothing;
        for (const auto& n : notes) {
            if (n.find("history reset: ") == 0) {
                kind = (n.find("LMDB faulted") != std::string::npos ||
                        n.find("LMDB did not finish") != std::string::npos)
                           ? kResetOnFault
                           : kResetOnError;
            } else if (n.find("damaged") != std::string::npos && kind == kNothing) {
                kind = kSkipped;
            }
        }
        return kSeenBase + kind;
    }

    int tally_[kSeenKinds] = {};
    static test::TempDir* store_;
    static Bytes* image_;
};

test::TempDir* HistoryCorruptionTest::store_ = nullptr;
Bytes* HistoryCorruptionTest::image_ = nullptr;

TEST_F(HistoryCorruptionTest, TheStoreIsLargeEnoughToMatter) {
    EXPECT_GT(image_->size(), 100u * 1024);
}

TEST_F(HistoryCorruptionTest, Truncated) {
    // To nothing, LMDB starts a new store by itself (an empty file is a new one).
    TryDamaged(
        "to 0", [](Bytes& b) { b.clear(); }, false);
    TryDamaged(
        "to 4096", [](Bytes& b) { b.resize(4096); }, true);
    TryDamaged(
        "to 8192", [](Bytes& b) { b.resize(8192); }, true);
    TryDamaged(
        "to half", [](Bytes& b) { b.resize(b.size() / 2); }, true);
    TryDamaged(
        "by one page", [](Bytes& b) { b.resize(b.size() - 4096); }, true);
    TryDamaged(
        "to 100", [](Bytes& b) { b.resize(100); }, true);
}

TEST_F(HistoryCorruptionTest, RandomBytes) {
    std::mt19937 rng(1);
    TryDamaged(
        "whole file",
        [&](Bytes& b) {
            for (char& c : b) c = static_cast<char>(rng());
        },
        true);
    TryDamaged(
        "not LMDB", [](Bytes& b) { b = "SQLite format 3" + std::string(8192, '\0'); }, true);
}

TEST_F(HistoryCorruptionTest, MetaPagesZeroed) {
    TryDamaged(
        "both", [](Bytes& b) { std::fill(b.begin(), b.begin() + 8192, '\0'); }, true);
    // One meta page gone: LMDB may go on with the other (its older commit), or refuse.
    TryDamaged(
        "first", [](Bytes& b) { std::fill(b.begin(), b.begin() + 4096, '\0'); }, false);
    TryDamaged(
        "second", [](Bytes& b) { std::fill(b.begin() + 4096, b.begin() + 8192, '\0'); }, false);
}

TEST_F(HistoryCorruptionTest, MetaFieldsWrecked) {
    // Every 8-byte word of both meta pages' headers and meta fields set to all ones, then to
    // zero: page sizes, last page numbers, roots, map sizes, transaction ids.
    for (std::size_t page : {0u, 4096u}) {
        for (std::size_t off = 0; off < 16 + 136; off += 4) {
            for (char fill : {'\xff', '\0', '\x7f'}) {
                TryDamaged(
                    "meta page at " + std::to_string(page) + " offset " + std::to_string(off),
                    [&](Bytes& b) {
                        std::fill(b.begin() + page + off, b.begin() + page + off + 4, fill);
                    },
                    false);
            }
        }
    }
}

TEST_F(HistoryCorruptionTest, TwoHundredRandomSingleByteCorruptions) {
    std::mt19937 rng(20250101);
    for (int i = 0; i < 200; ++i) {
        const std::size_t at = rng() % image_->size();
        const char value = static_cast<char>(rng());
        TryDamaged(
            "byte " + std::to_string(at), [&](Bytes& b) { b[at] = value; }, false);
    }
}

TEST_F(HistoryCorruptionTest, ManyBytesAtOnce) {
    std::mt19937 rng(7);
    for (int i = 0; i < 30; ++i) {
        TryDamaged(
            "burst " + std::to_string(i),
            [&](Bytes& b) {
                for (int n = 0; n < 200; ++n) b[rng() % b.size()] = static_cast<char>(rng());
            },
            false);
    }
}

TEST_F(HistoryCorruptionTest, AtMostThreeCorruptFilesAreKept) {
    test::TempDir dir;
    const StoreOptions o = test::WideOptions(dir.path());
    for (int i = 0; i < 5; ++i) {
        WriteFile(dir.path() / "history.mdb", "garbage" + std::string(9000, static_cast<char>(i)));
        HistoryOutcome r = RecordAndRead(o, Key(0), MakeSample(kT0 + i, 100), After(kDeadline));
        EXPECT_TRUE(r.saved);
        ASSERT_EQ(r.notes.size(), 1u);
        EXPECT_THAT(r.notes[0], HasSubstr("history reset: history.mdb was corrupt (MDB_INVALID: "
                                          "File is not an LMDB file); moved aside to "
                                          "history.mdb.corrupt-"));
        EXPECT_EQ(r.previous.size(), 0u);
    }
    int aside = 0;
    std::set<char> kept;
    for (const auto& e : fs::directory_iterator(dir.path())) {
        if (e.path().filename().string().rfind("history.mdb.corrupt-", 0) == 0) {
            ++aside;
            kept.insert(ReadFile(e.path()).back());
        }
    }
    EXPECT_EQ(aside, 3);
    EXPECT_EQ(kept, (std::set<char>{2, 3, 4}));  // the newest three
}

}  // namespace
}  // namespace mfsmon::history
