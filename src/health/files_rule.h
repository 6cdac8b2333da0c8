// Missing and undergoal files from the master's filesystem check loop (FSTEST_INFO) and its
// missing-chunks list (MISSING_CHUNKS, paths from MASS_RESOLVE_PATHS). That loop takes about
// an hour per pass and pauses after chunkserver disconnections, so everything here is "as of
// the last loop": the live counts are the replicas rule's.
#pragma once

#include <cstddef>

#include "health/evaluation.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

void EvaluateFiles(const model::ClusterSnapshot& snapshot, std::size_t max_paths, Evaluation& ev);

}  // namespace mfsmon::health
