// `mfsmon status` (one screen about the whole cluster, for people; --format json for
// scripts) and `mfsmon watch` (the same, refreshed in place, with its own in-memory history
// so that rate and ETA show without a state directory).
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/history_options.h"
#include "cli/terminal.h"

namespace mfsmon::cli {

struct StatusOptions {
    std::string host = "mfsmaster";
    std::uint16_t port = 9421;
    double timeout_s = 10;
    double cs_timeout_s = 0;  // 0: half of -t
    std::string format = "text";
    std::string color = "auto";
    HistoryOptions history;
    double interval_s = 2;  // watch only
    unsigned count = 0;     // watch only: stop after N screens (0: until stopped)
};

CLI::App* AddStatus(CLI::App& app, StatusOptions& options);
CLI::App* AddWatch(CLI::App& app, StatusOptions& options);

// Exit code: the health state (0 OK .. 3 UNKNOWN), like `check health`.
int RunStatus(const StatusOptions& options);
// Exit code 0 when stopped by Ctrl-C/SIGTERM or after --count screens.
int RunWatch(const StatusOptions& options);

}  // namespace mfsmon::cli
