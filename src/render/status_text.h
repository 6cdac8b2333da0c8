// `mfsmon status` for people, in the spirit of `ceph -s`: the cluster, its health with the
// findings, services (master, metaloggers, chunkservers, disks), data (space, objects, chunks
// by goal or storage class) and a progress bar with rate and ETA for every recovery and
// evacuation under way. `mfsmon watch` draws its screen from the same pieces. Pure: it reads
// the snapshot, the report and the trends, and never decides a state of its own.
#pragma once

#include <string>

#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::render {

struct TextStyle {
    bool color = false;    // ANSI colours (a terminal, and NO_COLOR unset)
    bool unicode = false;  // block characters and arrows (a UTF-8 locale)
    int width = 80;        // columns to fit (lines are cut, never wrapped)
};

std::string RenderStatusText(const model::ClusterSnapshot& snap, const health::Report& report,
                             const health::RecoveryTrends& trends, const TextStyle& style);

// "[#########...........]" of `width` cells, the done share filled.
std::string ProgressBar(double fraction, int width, bool unicode);

// The progress section alone (status and watch): one line per recovery or evacuation under
// way, or "no recovery under way".
std::string RenderProgress(const health::RecoveryTrends& trends, const TextStyle& style);

// A one-character trend mark: falling, rising, flat, done.
std::string TrendArrow(const trend::Trend& t, bool unicode);

// ANSI colour for a state, or "" without colour.
std::string StateColor(health::State s, bool color);
std::string ResetColor(bool color);

}  // namespace mfsmon::render
