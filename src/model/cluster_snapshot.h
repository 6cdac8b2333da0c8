// One typed snapshot of a MooseFS cluster at one moment: what every check, and later the
// exporter, `status` and Checkmk, reads. The collector fills only the parts a consumer asked
// for; each part is absent (not asked), a value, or an error naming what went wrong. Rules
// read parts, never bytes; a part that is an error becomes a finding, never a default value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/chunk_loop.h"
#include "model/chunk_matrix.h"
#include "model/chunkserver.h"
#include "model/disk.h"
#include "model/fs_check.h"
#include "model/master_info.h"
#include "model/metalogger.h"
#include "model/missing_chunk.h"
#include "model/module_info.h"
#include "model/storage_class.h"

namespace mfsmon::model {

// nullopt: not asked for. Otherwise the decoded value or why there is none.
template <typename T>
using Part = std::optional<Result<T>>;

// The disks of one connected chunkserver, or why it could not be asked.
struct ServerDisks {
    std::string server;  // "198.18.0.10:9422", as ChunkServerName() writes it
    std::uint16_t csid = 0;
    Result<std::vector<Disk>> disks;

    ServerDisks(std::string server_name, std::uint16_t id, Result<std::vector<Disk>> d)
        : server(std::move(server_name)), csid(id), disks(std::move(d)) {}
};

// The missing-chunks list of the master's last filesystem check loop, with the paths of the
// files the first entries belong to.
struct MissingFiles {
    std::vector<MissingChunk> chunks;
    std::vector<InodePaths> paths;     // for the first inodes only (see the collector)
    std::optional<Error> paths_error;  // the list was read but the paths were not
};

// The chunk matrices of one storage class: the master's matrices counted over that class's
// chunks only (4.44+), so that a missing or endangered chunk, or an EC part short, can be
// named by class.
struct ClassMatrices {
    std::uint8_t class_id = 0;
    Result<ChunkMatrices> matrices;

    ClassMatrices(std::uint8_t id, Result<ChunkMatrices> m)
        : class_id(id), matrices(std::move(m)) {}
};

struct ClusterSnapshot {
    std::string master_host;
    std::uint16_t master_port = 0;
    std::int64_t collected_at = 0;  // our wall clock, unix seconds
    MasterInfo info;                // always: without it nothing else can be read

    Part<ChunkMatrices> matrices;
    Part<std::vector<ChunkServer>> chunkservers;
    Part<std::vector<ServerDisks>> disks;  // one entry per connected chunkserver asked
    Part<std::vector<Metalogger>> metaloggers;
    Part<ChunkLoopInfo> chunk_loop;
    Part<FsCheckInfo> fs_check;
    Part<StorageClasses> storage_classes;
    // One entry per storage class in use. Not asked (nullopt) from a master older than 4.44,
    // which has no per-class matrices, or when the class list could not be read.
    Part<std::vector<ClassMatrices>> class_matrices;
    Part<MissingFiles> missing_files;
    // Asked only of masters whose INFO has no metadata id (before 4.4); see MetadataId().
    Part<ModuleInfo> module_info;

    // The cluster's metadata id (4.4+: INFO; older: MODULE_INFO), or 0 when unknown.
    std::uint64_t MetadataId() const {
        if (info.metadata_id) return *info.metadata_id;
        if (module_info && *module_info) return module_info->value().metadata_id;
        return 0;
    }
};

}  // namespace mfsmon::model
