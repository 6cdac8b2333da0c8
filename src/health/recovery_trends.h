// From the history (earlier samples of the same cluster) and this run's sample to what the
// rules and renderers say about recovery: per matrix row and in total, the deficit's phase,
// rate and ETA; the evacuation of disks marked for removal and its ETA to READY; the chunk
// loop's duration and the interval between checks. Built once per run; every output reads
// the same RecoveryTrends, no renderer estimates anything.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/chunk_matrix.h"
#include "model/trend_sample.h"
#include "trend/estimator.h"

namespace mfsmon::health {

struct RecoveryTrends {
    // False with --no-history: nothing about trends is shown.
    bool enabled = false;
    // Earlier samples of this cluster that were read (0: "no history yet").
    std::size_t history_samples = 0;
    model::RowMeaning rows = model::RowMeaning::kGoal;

    std::map<int, trend::Trend> by_row;  // rows below goal now or during the current event
    trend::Trend total;                  // every row together
    trend::Trend marked;                 // chunks that still depend on disks marked for removal
    std::optional<double> eta_ready_s;   // until marked disks are READY (see EtaToReady)

    std::optional<trend::ChunkLoop> loop;     // the master's last complete chunk-loop pass
    std::optional<double> median_interval_s;  // between the checks that wrote the history
    double now = 0;                           // this run's time, unix seconds

    // From the store: why there is less history than there could be. Long output only.
    std::vector<std::string> notes;
};

// `previous` oldest first (as the store returns them); `current` is this run's sample.
RecoveryTrends BuildRecoveryTrends(std::span<const model::TrendSample> previous,
                                   const model::TrendSample& current, model::RowMeaning rows,
                                   const trend::TrendConfig& config);

// A series of one number through the samples (exposed for tests and `watch`).
enum class Series { kAllDeficit, kMarkedDependent };
std::vector<trend::Point> SeriesOf(std::span<const model::TrendSample> samples, Series which,
                                   int row = -1);

}  // namespace mfsmon::health
