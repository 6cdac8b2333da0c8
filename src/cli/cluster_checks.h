// `mfsmon check chunkservers|disks|space|master|classes|health`: the options each check takes,
// which parts of the cluster it collects, which rules it runs. Every check reads one
// snapshot (collect/collector.h) and renders one Report (plugin text or JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

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
    std::string used_warning, used_critical;  // chunkservers, disks, space (usage ranges)
    std::string free_warning, free_critical;  // space
    unsigned expect = 0;                      // chunkservers; 0 = not given
    double io_error_window_s = 86400;         // disks
    std::string save_age_warning, save_age_critical, save_duration_warning, save_duration_critical,
        memory_warning, memory_critical;  // master
    std::size_t max_paths = 10;           // health
    std::string missing_warning, missing_critical, endangered_warning, endangered_critical,
        undergoal_warning, undergoal_critical, marked_warning, marked_critical;  // health
};

// Adds the subcommand to `check`; `service` receives its plugin service name for errors.
CLI::App* AddClusterCheck(CLI::App& check, ClusterCheck which, ClusterCheckOptions& options);

const char* ServiceName(ClusterCheck which);  // "MOOSEFS DISKS"
const char* CheckName(ClusterCheck which);    // "disks"

int RunClusterCheck(const ClusterCheckOptions& options);

}  // namespace mfsmon::cli
