// What `check replicas` knows about the cluster at one moment.
#pragma once

#include <cstdint>
#include <string>

#include "model/chunk_matrix.h"
#include "model/master_info.h"

namespace mfsmon::model {

struct ReplicaSnapshot {
    std::string master_host;
    std::uint16_t master_port = 0;
    MasterInfo info;
    ChunkMatrices matrices;
};

}  // namespace mfsmon::model
