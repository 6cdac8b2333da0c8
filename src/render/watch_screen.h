// The screen of `mfsmon watch`: a header line, the health line, per goal (3.x) or
// redundancy level (4.x) the chunks below goal with a trend arrow, rate, ETA and progress,
// then each disk marked for removal with its server's readiness and the evacuation's rate and
// ETA to READY. Pure text; the terminal handling is the CLI's (cli/terminal.h).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"
#include "render/status_text.h"

namespace mfsmon::render {

std::string RenderWatchScreen(const model::ClusterSnapshot& snap, const health::Report& report,
                              const health::RecoveryTrends& trends, const TextStyle& style,
                              double interval_s);

std::string RenderWatchError(const std::string& host, std::uint16_t port, const Error& error,
                             const TextStyle& style);

// At most `rows` - 1 lines (the last line stays free so the terminal never scrolls); the
// last kept line says how many were cut. rows <= 0: unchanged.
std::string CutToRows(const std::string& text, int rows);

}  // namespace mfsmon::render
