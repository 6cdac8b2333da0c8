// What `check replicas` knows about the cluster at one moment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "model/chunk_loop.h"
#include "model/chunk_matrix.h"
#include "model/master_info.h"
#include "model/module_info.h"

namespace mfsmon::model {

struct ReplicaSnapshot {
    std::string master_host;
    std::uint16_t master_port = 0;
    MasterInfo info;
    ChunkMatrices matrices;
    // Asked only for the history (ReplicaQuery::trend_parts); nullopt when not asked.
    std::optional<Result<ChunkLoopInfo>> chunk_loop;
    std::optional<Result<ModuleInfo>> module_info;

    // The cluster's metadata id (4.4+: INFO; older: MODULE_INFO), or 0 when unknown.
    std::uint64_t MetadataId() const {
        if (info.metadata_id) return *info.metadata_id;
        if (module_info && *module_info) return module_info->value().metadata_id;
        return 0;
    }
};

}  // namespace mfsmon::model
