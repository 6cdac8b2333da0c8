// The history store: one LMDB environment per state directory (history.mdb + its lock file),
// holding one series of trend samples per cluster. Chosen over SQLite by measurement (see
// bench/history_store_bench.cpp and docs/history.md): per check run LMDB's open + read + one
// put + commit cost half of what SQLite's WAL open + select + insert + close do.
//
// Every failure is a value (HistoryNote) and never changes a check's state: a directory that
// cannot be written, a store another run holds longer than the wait allows, a corrupt or
// truncated file (moved aside as history.mdb.corrupt-<time>, a new one started). Waits are
// bounded by the deadline given; nothing here blocks past it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "model/trend_sample.h"

namespace mfsmon::history {

// Which cluster a series belongs to: the master's address as the check was given it
// ("mfsmaster:9421") and the cluster's metadata id. A different cluster behind the same
// address (another metadata id) starts a new series.
struct SeriesKey {
    std::string endpoint;
    std::uint64_t metadata_id = 0;
};

// Retention, applied on every write to the series written (documented in docs/history.md).
struct Retention {
    std::chrono::seconds max_age{std::chrono::hours(24 * 8)};
    std::size_t max_rows = 20000;  // per series
    // The age is applied on every write (from the oldest, usually one key looked at); the row
    // cap needs a walk over the whole series, done on about one write in this many (chosen by
    // a hash of the sample's time), so a series may exceed max_rows by the writes in between.
    std::size_t row_cap_every = 64;
};

// What a caller may read back: samples within `window` before the newest, at most `max_rows`
// (the newest ones), oldest first.
struct ReadWindow {
    std::chrono::seconds window{std::chrono::hours(24)};
    std::size_t max_rows = 1000;
};

struct HistoryOutcome {
    std::vector<model::TrendSample> previous;  // the series before this run's sample
    bool saved = false;                        // this run's sample was committed
    // Why there is less history than asked for, one line each, for the check's long output:
    // "history not saved: /var/lib/mfsmon is not writable (Permission denied)". Empty when all
    // went well.
    std::vector<std::string> notes;
};

struct StoreOptions {
    std::filesystem::path dir;  // the state directory (already resolved, see state_dir.h)
    Retention retention;
    ReadWindow read;
};

// Reads the series of `key` and appends `sample` to it, in that order, within `deadline`.
// The read never waits for a writer (LMDB readers do not block); the write waits for
// another run's write at most until the deadline, then gives up with a note.
HistoryOutcome RecordAndRead(const StoreOptions& options, const SeriesKey& key,
                             const model::TrendSample& sample,
                             std::chrono::steady_clock::time_point deadline);

// Only reads (mfsmon status --no-save, tests).
HistoryOutcome ReadOnly(const StoreOptions& options, const SeriesKey& key,
                        std::chrono::steady_clock::time_point deadline);

}  // namespace mfsmon::history
