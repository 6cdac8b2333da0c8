// JSON pieces shared by the replicas and the cluster renderers.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/chunk_matrix.h"
#include "model/master_info.h"

namespace mfsmon::render::json_parts {

nlohmann::json Master(const std::string& host, std::uint16_t port, const model::MasterInfo& info);
nlohmann::json Matrices(const model::ChunkMatrices& m);
nlohmann::json Findings(const health::Report& report);
nlohmann::json Perfdata(const health::Report& report);
// The history's view: phase, rate (chunks/s), ETA (s), progress per trend; null where
// unknown, never 0.
nlohmann::json Trends(const health::RecoveryTrends& trends);
std::string Dump(const nlohmann::json& j);

}  // namespace mfsmon::render::json_parts
