// The master itself (INFO: metadata saves, memory, version) and its metaloggers
// (MLOG_LIST: none connected, version skew).
#pragma once

#include "health/evaluation.h"
#include "health/threshold_range.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct MasterRules {
    Thresholds save_age;       // seconds since the last metadata save (defaults 7200 / 21600)
    Thresholds save_duration;  // seconds the last save took (default warning 2700, the GUI's)
    Thresholds memory;         // master RSS in bytes (no default)
    bool metaloggers = true;   // rate the metalogger list too
    static MasterRules Defaults();
};

void EvaluateMaster(const model::ClusterSnapshot& snapshot, const MasterRules& rules,
                    Evaluation& ev);

}  // namespace mfsmon::health
