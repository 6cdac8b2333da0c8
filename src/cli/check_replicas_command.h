// `mfsmon check replicas`: wires the options to transport -> protocol -> health -> render.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/history_options.h"
#include "cli/option_values.h"

namespace mfsmon::cli {

struct ReplicasOptions {
    std::string host = "mfsmaster";  // as every MooseFS tool
    std::uint16_t port = 9421;
    double timeout_s = 10;
    double settle_s = 0;
    std::string format = "text";
    ReplicaRangeTexts ranges;  // threshold ranges as typed; empty = the default for that class
    HistoryOptions history;
};

CLI::App* AddCheckReplicas(CLI::App& check, ReplicasOptions& options);

// Runs the check, prints its output, returns the plugin exit code (0..3).
int RunCheckReplicas(const ReplicasOptions& options);

}  // namespace mfsmon::cli
