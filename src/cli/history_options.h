// The history options every check with a trend takes (--state-dir, --no-history,
// --stall-after) and the one step that reads and extends the history: from this run's
// sample to the RecoveryTrends the rules read. History never changes a check's state by
// failing: whatever goes wrong becomes a note in the long output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "health/recovery_trends.h"
#include "model/chunk_matrix.h"
#include "model/trend_sample.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

struct HistoryOptions {
    std::optional<std::string> state_dir;
    bool no_history = false;
    double stall_after_s = 1800;
};

void AddHistoryOptions(CLI::App* app, HistoryOptions& options);

// Milliseconds since the epoch, the sample's clock.
std::int64_t NowMs();

// Reads the series of this master and cluster, appends `current`, estimates. Waits for the
// store at most until the run's deadline (and never more than a tenth of -t past now).
health::RecoveryTrends RunHistory(const HistoryOptions& options, const std::string& host,
                                  std::uint16_t port, const model::TrendSample& current,
                                  model::RowMeaning rows, const transport::Deadline& deadline);

// The estimator's settings from the options.
trend::TrendConfig TrendConfigOf(const HistoryOptions& options);

}  // namespace mfsmon::cli
