// JSON output: the same snapshot and findings as the plugin text, for scripts.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/report.h"
#include "model/replica_snapshot.h"

namespace mfsmon::render {

std::string RenderReplicasJson(const model::ReplicaSnapshot& snapshot,
                               const health::Report& report);

std::string RenderJsonError(std::string_view check, const Error& error);

}  // namespace mfsmon::render
