// Cluster space from the master's INFO: used against ranges (percent or bytes), free space
// against optional ranges; trash and sustained space reported.
#pragma once

#include "health/evaluation.h"
#include "health/usage_threshold.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct SpaceRules {
    UsageThresholds used;  // defaults 90 % / 99 %
    UsageThresholds free;  // no default; e.g. --free-critical 100GiB: (alerts while below)
    static SpaceRules Defaults();
};

void EvaluateSpace(const model::ClusterSnapshot& snapshot, const SpaceRules& rules, Evaluation& ev);

}  // namespace mfsmon::health
