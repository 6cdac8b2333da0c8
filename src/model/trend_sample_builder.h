// From what a check read to the sample the history keeps (model/trend_sample.h). Each input
// is optional, as the checks collect different parts: `check replicas` has the matrices and
// the chunk loop, `check disks` the servers and disks, `check health` everything.
#pragma once

#include <cstdint>
#include <vector>

#include "model/chunk_loop.h"
#include "model/chunk_matrix.h"
#include "model/chunkserver.h"
#include "model/cluster_snapshot.h"
#include "model/replica_snapshot.h"
#include "model/trend_sample.h"

namespace mfsmon::model {

struct SampleInputs {
    std::int64_t time_ms = 0;
    std::uint64_t metadata_id = 0;
    const ChunkMatrices* matrices = nullptr;
    const ChunkLoopInfo* chunk_loop = nullptr;
    const std::vector<ChunkServer>* chunkservers = nullptr;
    const std::vector<ServerDisks>* disks = nullptr;  // needs chunkservers too
    const std::vector<ClassMatrices>* class_matrices = nullptr;
};

TrendSample BuildSample(const SampleInputs& in);

// The inputs a snapshot offers (parts that were read; errors and unasked parts left out).
SampleInputs InputsOf(const ClusterSnapshot& snap, std::int64_t time_ms);
SampleInputs InputsOf(const ReplicaSnapshot& snap, std::int64_t time_ms);

// Deficit (missing + endangered + undergoal) of one row, or of every row when `row` < 0.
std::uint64_t AllDeficit(const TrendSample& s, int row = -1);
std::uint64_t RegularDeficit(const TrendSample& s, int row = -1);
// Chunks below goal only because of disks marked for removal: regular minus all deficit.
std::uint64_t MarkedDependent(const TrendSample& s);

}  // namespace mfsmon::model
