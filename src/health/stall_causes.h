// Why recovery may have stalled, as far as one snapshot and the other areas' findings show:
// the causes the master itself has for not replicating (replication suspended while every
// disconnected chunkserver is in maintenance; a storage class no server can fulfil; no
// space). Named in the stall findings' text so the admin reads the cause, not just the symptom.
#pragma once

#include <span>

#include "health/evaluation.h"
#include "health/trend_rule.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

StallCauses StallCausesOf(const model::ClusterSnapshot& snap,
                          std::span<const Evaluation* const> areas);

}  // namespace mfsmon::health
