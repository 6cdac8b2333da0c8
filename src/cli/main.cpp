// mfsmon: MooseFS monitoring. The CLI only wires the stages together.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/check_replicas_command.h"
#include "common/printable.h"

#ifndef MFSMON_VERSION
#define MFSMON_VERSION "0.0.0"
#endif

namespace {

constexpr int kUnknownExit = 3;  // bad arguments are UNKNOWN, as the plugin guidelines ask

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"mfsmon - fast MooseFS monitoring (Nagios/Icinga checks, JSON)", "mfsmon"};
    app.set_version_flag("-V,--version", "mfsmon " MFSMON_VERSION);
    app.require_subcommand(1);
    CLI::App* check = app.add_subcommand("check", "monitoring-plugin checks");
    check->require_subcommand(1);
    mfsmon::cli::ReplicasOptions replicas;
    CLI::App* replicas_app = mfsmon::cli::AddCheckReplicas(*check, replicas);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // One line naming what was wrong, then the usage of the command that was meant.
        // Nagios shows the first line; CLI11's message names the option at fault.
        const CLI::App* where = &app;
        if (check->parsed()) where = check;
        if (replicas_app->parsed()) where = replicas_app;
        // CLI11 may echo the offending argument: keep the status line one printable line.
        const std::string what = mfsmon::ControlCharsReplaced(e.what());
        std::printf("MOOSEFS REPLICAS UNKNOWN - %s\n", what.c_str());
        std::fputs(where->help("", CLI::AppFormatMode::Normal).c_str(), stdout);
        return kUnknownExit;
    }

    if (replicas_app->parsed()) return mfsmon::cli::RunCheckReplicas(replicas);
    return kUnknownExit;
}
