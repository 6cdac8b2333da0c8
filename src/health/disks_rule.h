// Rules over every connected chunkserver's own disk list (CSTOCL_HDD_LIST), with the master's
// view of each server (its marked-for-removal readiness, mfrstatus) and the chunk matrices
// (how many chunks still depend on marked disks).
#pragma once

#include <chrono>

#include "health/evaluation.h"
#include "health/usage_threshold.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct DiskRules {
    UsageThresholds usage;                        // per disk (defaults 90 % / 99 %)
    std::chrono::seconds io_error_window{86400};  // a last I/O error this recent is reported
    static DiskRules Defaults();
};

void EvaluateDisks(const model::ClusterSnapshot& snapshot, const DiskRules& rules, Evaluation& ev);

// "198.18.0.10:9422:/mnt/hdd1/", with control characters in the path shown as '?'.
std::string DiskName(const std::string& server, const model::Disk& disk);

// Chunks that are at goal only thanks to copies on disks marked for removal: the regular
// matrix's deficit minus the all matrix's (MooseFS never deletes copies on a marked disk, so
// the disk's own chunk count does not fall while it empties).
std::uint64_t ChunksDependingOnMarkedDisks(const model::ChunkMatrices& matrices);

}  // namespace mfsmon::health
