// The rule behind `check replicas`: is every chunk at its goal?
//
// The state comes from the "all" matrix (copies on every disk): that is the data's safety
// now. Missing -> CRITICAL ("lost"), endangered -> CRITICAL, undergoal -> WARNING, by default.
// Chunks below goal only in the "regular" matrix (which ignores copies on disks marked for
// removal) are not lost: they still depend on the marked disks. They get their own finding,
// WARNING by default, and are never called lost.
// The progress byte ("counters may not be valid") is shown but never changes the state.
#pragma once

#include "health/recovery_trends.h"
#include "health/report.h"
#include "health/threshold_range.h"
#include "health/trend_rule.h"
#include "model/replica_snapshot.h"

namespace mfsmon::health {

struct ReplicasThresholds {
    Thresholds missing;
    Thresholds endangered;
    Thresholds undergoal;
    Thresholds marked;  // chunks below goal once disks marked for removal are gone

    static ReplicasThresholds Defaults();
};

// `trends` (when the history is on) adds rate and ETA to the row findings, the stall
// findings and the trend lines (health/trend_rule.h); `causes` names why recovery may stall.
Report EvaluateReplicas(const model::ReplicaSnapshot& snapshot,
                        const ReplicasThresholds& thresholds,
                        const RecoveryTrends* trends = nullptr, const StallCauses& causes = {});

// "goal 3" on 3.x; "redundancy level 2" on 4.x, as mfscli 4.x's text labels rows.
std::string RowLabel(model::RowMeaning meaning, int row);
// Perfdata/metric prefix for a row: "goal3" / "rl2".
std::string RowKey(model::RowMeaning meaning, int row);

}  // namespace mfsmon::health
