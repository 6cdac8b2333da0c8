// JSON for the cluster checks (chunkservers, disks, space, master, classes, health): the
// parts of the snapshot the check collected, its findings with codes, and its perfdata. A part
// that could not be read is {"error": {...}}, never left out or zero.
#pragma once

#include <string>
#include <string_view>

#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::render {

// `trends` adds "trends" (when the history is on).
std::string RenderClusterJson(std::string_view check, const model::ClusterSnapshot& snapshot,
                              const health::Report& report,
                              const health::RecoveryTrends* trends = nullptr);

}  // namespace mfsmon::render
