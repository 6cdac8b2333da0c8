// The areas of the Prometheus renderer, one source file each (internal to src/render):
// each adds the families of one part of the snapshot. They are called only with parts that
// were read; the entry point (prometheus_metrics.cpp) reports parts that were not.
#pragma once

#include <vector>

#include "health/report.h"
#include "model/cluster_snapshot.h"
#include "render/prometheus_family.h"

namespace mfsmon::render::prom {

// prometheus_master_metrics.cpp: CLTOMA_INFO (always there) and the metalogger list.
void AddMaster(const model::ClusterSnapshot& snapshot, Sink& out);
void AddMetaloggers(const std::vector<model::Metalogger>& metaloggers, Sink& out);

// prometheus_chunk_metrics.cpp: chunk matrices, the two loops, the missing-chunks list.
void AddMatrices(const model::ChunkMatrices& matrices, Sink& out);
void AddClassMatrices(const std::vector<model::ClassMatrices>& classes, Sink& out);
void AddChunkLoop(const model::ChunkLoopInfo& loop, Sink& out);
void AddFsCheck(const model::FsCheckInfo& fs, Sink& out);
void AddMissingFiles(const model::MissingFiles& files, Sink& out);

// prometheus_server_metrics.cpp: the master's chunkserver list and each server's disks.
void AddChunkservers(const std::vector<model::ChunkServer>& servers, Sink& out);
void AddDisks(const std::vector<model::ServerDisks>& servers, Sink& out);

// prometheus_class_metrics.cpp: storage classes. `has_ec`: a 4.x master, which sends EC
// counters (3.x has copies only, so its EC fields are not zeros but absent).
void AddStorageClasses(const model::StorageClasses& classes, bool has_ec, Sink& out);

// prometheus_metrics.cpp: the report's state and its findings.
void AddHealth(const health::Report& report, Sink& out);

}  // namespace mfsmon::render::prom
