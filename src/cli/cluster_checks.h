// `mfsmon check chunkservers|disks|space|master|classes|health`: the options each check takes,
// which parts of the cluster it collects, which rules it runs. Every check reads one
// snapshot (collect/collector.h) and renders one Report (plugin text or JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/history_options.h"
#include "cli/option_values.h"
#include "collect/parts.h"
#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::cli {

enum class ClusterCheck { kChunkservers, kDisks, kSpace, kMaster, kClasses, kHealth };

struct ClusterCheckOptions {
    ClusterCheck check = ClusterCheck::kHealth;
    std::string host = "mfsmaster";
    std::uint16_t port = 9421;
    double timeout_s = 10;
    double cs_timeout_s = 0;  // 0: half of -t
    std::string format = "text";
    std::vector<std::string> mutes;
    // Ranges as typed; empty = the default.
    RangeTexts used;                             // chunkservers, disks, space (usage ranges)
    RangeTexts free;                             // space
    unsigned expect = 0;                         // chunkservers; 0 = not given
    double io_error_window_s = 86400;            // disks
    RangeTexts save_age, save_duration, memory;  // master
    std::size_t max_paths = 10;                  // health
    ReplicaRangeTexts replica_ranges;            // health
    HistoryOptions history;                      // disks, health
};

// Adds the subcommand to `check`; `service` receives its plugin service name for errors.
CLI::App* AddClusterCheck(CLI::App& check, ClusterCheck which, ClusterCheckOptions& options);

const char* ServiceName(ClusterCheck which);  // "MOOSEFS DISKS"
const char* CheckName(ClusterCheck which);    // "disks"

int RunClusterCheck(const ClusterCheckOptions& options);

// `check health` for `status` and `watch`: what it collects and its report (default rules),
// with the trends in the replica findings.
collect::PartSet HealthParts();
health::Report HealthReport(const model::ClusterSnapshot& snapshot,
                            const health::RecoveryTrends& trends);

}  // namespace mfsmon::cli
