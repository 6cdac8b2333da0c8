// JSON output: the same snapshot and findings as the plugin text, for scripts.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/replica_snapshot.h"

namespace mfsmon::render {

std::string RenderReplicasJson(const model::ReplicaSnapshot& snapshot, const health::Report& report,
                               const health::RecoveryTrends* trends = nullptr);

std::string RenderJsonError(std::string_view check, const Error& error);

}  // namespace mfsmon::render
