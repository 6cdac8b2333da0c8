// The history store's cost for one check run, against SQLite doing the same, and against a
// process that does nothing (what starting a static binary costs by itself). Each mode is
// one run's worth of work, so bench/run_history_store_bench.py can time whole processes the
// way a monitoring system starts them:
//   history_store_bench prepare DIR   two stores in DIR with 1000 samples of one series each
//   history_store_bench noop DIR      nothing
//   history_store_bench lmdb DIR      RecordAndRead of one sample, the 100 newest read back
//   history_store_bench sqlite DIR    open (WAL, synchronous=NORMAL), select the 100 newest,
//                                     insert one, close
// The sample is ~300 bytes (3 matrix rows, 10 chunkservers), the same encoded bytes in both
// stores. Exit code 0 when the run saved its sample and read 100.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "history/history_store.h"
#include "history/sample_codec.h"

namespace {

namespace fs = std::filesystem;
using mfsmon::history::DecodeSample;
using mfsmon::history::EncodeSample;

constexpr int kPriorSamples = 1000;
constexpr std::size_t kReadRows = 100;
const mfsmon::history::SeriesKey kKey{"mfsmaster:9421", 0x5eed5eed5eed5eedULL};

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

mfsmon::model::TrendSample Sample(std::int64_t time_ms) {
    mfsmon::model::TrendSample s;
    s.time_ms = time_ms;
    s.metadata_id = kKey.metadata_id;
    for (std::uint8_t row : {1, 2, 3}) {
        mfsmon::model::RowCounts r;
        r.row = row;
        r.all[mfsmon::model::ChunkClass::kStable] =
            1234567 + static_cast<std::uint64_t>(time_ms % 1000);
        r.all[mfsmon::model::ChunkClass::kUndergoal] = 4321;
        r.regular = r.all;
        r.regular[mfsmon::model::ChunkClass::kEndangered] = 17;
        s.rows.push_back(r);
    }
    s.loop_start = 1796280000;
    s.loop_end = 1796280300;
    s.servers_known = true;
    for (int i = 0; i < 10; ++i) {
        s.servers.push_back({"198.18.0." + std::to_string(10 + i) + ":9422",
                             static_cast<std::uint16_t>(i + 1), true, false, i == 0 ? 98765u : 0u,
                             0});
    }
    return s;
}

mfsmon::history::StoreOptions LmdbOptions(const fs::path& dir) {
    mfsmon::history::StoreOptions o;
    o.dir = dir / "lmdb";
    o.read.max_rows = kReadRows;
    return o;  // default retention (8 days, 20000 rows): the samples are a minute apart
}

int RunLmdb(const fs::path& dir) {
    auto r =
        mfsmon::history::RecordAndRead(LmdbOptions(dir), kKey, Sample(NowMs()),
                                       std::chrono::steady_clock::now() + std::chrono::seconds(5));
    return r.saved && r.previous.size() == kReadRows && r.notes.empty() ? 0 : 1;
}

// ---- SQLite: what a store on it would do per run.

std::string SeriesBlob() {
    std::string s = kKey.endpoint;
    s.push_back('\0');
    for (int shift = 56; shift >= 0; shift -= 8)
        s.push_back(static_cast<char>(kKey.metadata_id >> shift));
    return s;
}

bool Exec(sqlite3* db, const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

sqlite3* OpenSqlite(const fs::path& dir) {
    sqlite3* db = nullptr;
    const std::string path = (dir / "sqlite" / "history.db").string();
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    const bool ok = Exec(db, "PRAGMA journal_mode=WAL") && Exec(db, "PRAGMA synchronous=NORMAL") &&
                    Exec(db,
                         "CREATE TABLE IF NOT EXISTS samples(series BLOB NOT NULL, t INTEGER NOT "
                         "NULL, v BLOB NOT NULL, PRIMARY KEY(series, t)) WITHOUT ROWID");
    if (!ok) {
        sqlite3_close(db);
        return nullptr;
    }
    return db;
}

bool Insert(sqlite3* db, const mfsmon::model::TrendSample& s) {
    const std::vector<std::uint8_t> bytes = EncodeSample(s);
    const std::string series = SeriesBlob();
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO samples VALUES(?, ?, ?)", -1, &st,
                           nullptr) != SQLITE_OK) {
        return false;
    }
    sqlite3_bind_blob(st, 1, series.data(), static_cast<int>(series.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s.time_ms);
    sqlite3_bind_blob(st, 3, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
    const bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

std::size_t SelectNewest(sqlite3* db) {
    const std::string series = SeriesBlob();
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT v FROM samples WHERE series = ? ORDER BY t DESC LIMIT ?", -1,
                           &st, nullptr) != SQLITE_OK) {
        return 0;
    }
    sqlite3_bind_blob(st, 1, series.data(), static_cast<int>(series.size()), SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, kReadRows);
    std::vector<mfsmon::model::TrendSample> samples;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 0));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, 0));
        auto s = DecodeSample(std::span<const std::uint8_t>(p, n));
        if (s) samples.push_back(std::move(*s));
    }
    sqlite3_finalize(st);
    return samples.size();
}

int RunSqlite(const fs::path& dir) {
    sqlite3* db = OpenSqlite(dir);
    if (db == nullptr) return 1;
    const std::size_t read = SelectNewest(db);
    const bool saved =
        Exec(db, "BEGIN IMMEDIATE") && Insert(db, Sample(NowMs())) && Exec(db, "COMMIT");
    return sqlite3_close(db) == SQLITE_OK && saved && read == kReadRows ? 0 : 1;
}

int Prepare(const fs::path& dir) {
    fs::create_directories(dir / "lmdb");
    fs::create_directories(dir / "sqlite");
    const std::int64_t start = NowMs() - std::int64_t{kPriorSamples} * 60 * 1000;
    mfsmon::history::StoreOptions o = LmdbOptions(dir);
    sqlite3* db = OpenSqlite(dir);
    if (db == nullptr || !Exec(db, "BEGIN")) return 1;
    for (int i = 0; i < kPriorSamples; ++i) {
        const auto s = Sample(start + std::int64_t{i} * 60 * 1000);
        auto r = mfsmon::history::RecordAndRead(
            o, kKey, s, std::chrono::steady_clock::now() + std::chrono::seconds(5));
        if (!r.saved || !Insert(db, s)) return 1;
    }
    if (!Exec(db, "COMMIT") || sqlite3_close(db) != SQLITE_OK) return 1;
    std::printf("%d samples of %zu bytes\n", kPriorSamples, EncodeSample(Sample(start)).size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: history_store_bench prepare|noop|lmdb|sqlite DIR\n");
        return 2;
    }
    const std::string mode = argv[1];
    const fs::path dir = argv[2];
    if (mode == "noop") return 0;
    if (mode == "lmdb") return RunLmdb(dir);
    if (mode == "sqlite") return RunSqlite(dir);
    if (mode == "prepare") return Prepare(dir);
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
}
