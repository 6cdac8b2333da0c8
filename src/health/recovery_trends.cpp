#include "health/recovery_trends.h"

#include <set>

#include "model/chunkserver.h"
#include "model/trend_sample_builder.h"

namespace mfsmon::health {

namespace {

// A master that restarted starts its chunk loop afresh: its last complete pass moves back
// in time or disappears. Counts across that point are not one process's counters.
bool RestartedBetween(const model::TrendSample& before, const model::TrendSample& after) {
    if (!before.loop_end) return false;
    if (!after.loop_end) return true;
    return *after.loop_end < *before.loop_end;
}

double Seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

}  // namespace

std::vector<trend::Point> SeriesOf(std::span<const model::TrendSample> samples, Series which,
                                   int row) {
    std::vector<trend::Point> points;
    points.reserve(samples.size());
    const model::TrendSample* prev = nullptr;
    for (const auto& s : samples) {
        trend::Point p;
        p.t = Seconds(s.time_ms);
        p.value = static_cast<double>(which == Series::kAllDeficit ? model::AllDeficit(s, row)
                                                                   : model::MarkedDependent(s));
        p.trusted = s.matrix_progress == 0;
        p.restart = prev != nullptr && RestartedBetween(*prev, s);
        points.push_back(p);
        prev = &s;
    }
    return points;
}

RecoveryTrends BuildRecoveryTrends(std::span<const model::TrendSample> previous,
                                   const model::TrendSample& current, model::RowMeaning rows,
                                   const trend::TrendConfig& config) {
    RecoveryTrends out;
    out.enabled = true;
    out.rows = rows;
    out.now = Seconds(current.time_ms);

    // The series in time order, this run last; a stored sample from a clock that went back
    // past this run is left out rather than made "later" than now.
    std::vector<model::TrendSample> samples;
    samples.reserve(previous.size() + 1);
    for (const auto& s : previous) {
        if (s.time_ms < current.time_ms) samples.push_back(s);
    }
    out.history_samples = samples.size();
    samples.push_back(current);

    if (current.loop_start && current.loop_end && *current.loop_end > *current.loop_start) {
        out.loop = trend::ChunkLoop{static_cast<double>(*current.loop_start),
                                    static_cast<double>(*current.loop_end)};
    }

    const auto total = SeriesOf(samples, Series::kAllDeficit);
    out.total = trend::Estimate(total, out.loop, config);
    out.median_interval_s = trend::MedianInterval(total);

    // Rows with a deficit in any sample of the window: a row that recovered says "done".
    std::set<int> rows_seen;
    for (const auto& s : samples) {
        for (const auto& r : s.rows) {
            if (r.row > 0 && r.all.Deficient() > 0) rows_seen.insert(r.row);
        }
    }
    for (int row : rows_seen) {
        out.by_row.emplace(
            row, trend::Estimate(SeriesOf(samples, Series::kAllDeficit, row), out.loop, config));
    }

    out.marked = trend::Estimate(SeriesOf(samples, Series::kMarkedDependent), out.loop, config);
    // Only while disks are being evacuated: chunks still depend on them, or a server with
    // marked disks is not READY yet (after the last copies, READY takes a full loop pass).
    // (Not while the master's counters are being recomputed: the dependents are unknown.)
    bool waiting_for_ready = out.marked.now > 0;
    for (const auto& s : current.servers) {
        if (s.marked_chunks > 0 && s.mfr_status != model::kMfrReady) waiting_for_ready = true;
    }
    if (waiting_for_ready && current.matrix_progress == 0) {
        // From the latest trusted point, which the dependents' ETA counts from.
        const double at = out.marked.at > 0 ? out.marked.at : out.now;
        out.eta_ready_s = trend::EtaToReady(out.marked, out.loop, at);
    }
    return out;
}

}  // namespace mfsmon::health
