// What a check says about recovery, from RecoveryTrends: a clause after each row's finding
// ("9262 chunks of goal 3 lack replicas, recovering 5/min, ETA 31 min"), the stall findings
// (`replicas.recovery_stalled`, `replicas.evacuation_stalled`, WARNING), long-output lines
// (trend, evacuation, chunk loop, advice on the check interval, why there is no history) and
// perfdata (rate in chunks per second, ETA in seconds; absent, never 0, when unknown).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "health/recovery_trends.h"
#include "health/report.h"

namespace mfsmon::health {

// "3.5/s", "5/min", "12/h" (chunks per unit; the sign is dropped).
std::string RateText(double per_second);

// The clause for one trend, or "" when there is nothing to say (healthy, done).
// `history_samples` 0 says "no history yet" instead of "measuring".
std::string TrendClause(const trend::Trend& t, std::size_t history_samples);

// The clause for the marked-disk dependents: "evacuating 2/s, READY within 6 min". READY is
// estimated as an upper bound: the end of the pass after the one in which the copies are
// done; it comes a pass earlier when the loop had already passed the last chunks.
std::string EvacuationClause(const RecoveryTrends& trends);

// Why recovery may be stalled, as far as the check can see (empty when it cannot):
// "every disconnected chunkserver is in maintenance (replication is suspended)".
struct StallCauses {
    std::vector<std::string> causes;
};

// Adds the trend clause to the row findings (replicas.missing/endangered/undergoal, one per
// row: the one with the most chunks) and to replicas.marked_for_removal, then the stall
// findings, the long-output lines and the perfdata. Nothing at all with --no-history.
// `check disks` (kEvacuation) shows only the evacuation: its clause on the marked disks'
// findings (disks.marked_for_removal), its stall finding, lines and perfdata.
enum class TrendScope { kReplicas, kEvacuation };
void AddRecoveryTrends(const RecoveryTrends& trends, const StallCauses& causes,
                       std::vector<Finding>& findings, std::vector<std::string>& details,
                       std::vector<Perfdatum>& perfdata, TrendScope scope = TrendScope::kReplicas);

}  // namespace mfsmon::health
