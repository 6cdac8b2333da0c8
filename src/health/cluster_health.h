// `check health`'s rules as one function: every area (replicas, files, chunkservers, disks,
// space, master, classes) with its default rules, joined into one Evaluation. The check, the
// `status`/`watch` screens and the Prometheus exporter all rate a cluster through this, so a
// finding means the same wherever it is shown.
#pragma once

#include <cstddef>

#include "health/evaluation.h"
#include "health/recovery_trends.h"
#include "health/replicas_rule.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct ClusterHealthRules {
    ReplicasThresholds replicas = ReplicasThresholds::Defaults();
    std::size_t max_paths = 10;  // missing files named in the long output
};

// Every area, joined; perfdata labels prefixed by area ("replicas_missing", "space_used").
Evaluation EvaluateClusterHealth(const model::ClusterSnapshot& snapshot,
                                 const ClusterHealthRules& rules, const RecoveryTrends& trends);

// The same, assembled (no mutes): the Report `status`, `watch` and the exporter show.
Report ClusterHealthReport(const model::ClusterSnapshot& snapshot, const RecoveryTrends& trends,
                           const ClusterHealthRules& rules = {});

}  // namespace mfsmon::health
