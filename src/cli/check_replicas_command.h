// `mfsmon check replicas`: wires the options to transport -> protocol -> health -> render.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace mfsmon::cli {

struct ReplicasOptions {
    std::string host = "mfsmaster";  // as every MooseFS tool
    std::uint16_t port = 9421;
    double timeout_s = 10;
    double settle_s = 0;
    std::string format = "text";
    // Threshold ranges as typed; empty = the default for that class.
    std::string missing_warning, missing_critical;
    std::string endangered_warning, endangered_critical;
    std::string undergoal_warning, undergoal_critical;
    std::string marked_warning, marked_critical;
};

CLI::App* AddCheckReplicas(CLI::App& check, ReplicasOptions& options);

// Runs the check, prints its output, returns the plugin exit code (0..3).
int RunCheckReplicas(const ReplicasOptions& options);

}  // namespace mfsmon::cli
