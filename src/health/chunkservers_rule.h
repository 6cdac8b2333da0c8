// Rules over the master's chunkserver list: disconnected servers (CRITICAL, or WARNING when
// they left in maintenance, as the MooseFS GUI), maintenance, overload/rebalance/grace,
// version skew against the master, per-server usage, and `--expect N`.
#pragma once

#include <cstddef>
#include <optional>

#include "health/evaluation.h"
#include "health/usage_threshold.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct ChunkserverRules {
    std::optional<unsigned> expect;  // fewer connected than this: chunkservers.too_few
    UsageThresholds usage;           // per server, regular disks (defaults 90 % / 99 %)
    static ChunkserverRules Defaults();
};

void EvaluateChunkservers(const model::ClusterSnapshot& snapshot, const ChunkserverRules& rules,
                          Evaluation& ev);

// "198.18.0.10_9422": a perfdata/metric label prefix for a server.
std::string ServerKey(const model::ChunkServer& cs);

// Version comparison as the GUI makes it: major.mid.minor only (PRO is its own finding).
int CompareVersions(const model::Version& a, const model::Version& b);

}  // namespace mfsmon::health
