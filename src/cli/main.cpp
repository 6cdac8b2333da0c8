// mfsmon: MooseFS monitoring. The CLI only wires the stages together.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/check_replicas_command.h"
#include "cli/cluster_checks.h"
#include "cli/explain_command.h"
#include "cli/exporter_command.h"
#include "cli/status_command.h"
#include "common/printable.h"

#ifndef MFSMON_VERSION
#define MFSMON_VERSION "0.0.0"
#endif

namespace {

constexpr int kUnknownExit = 3;  // bad arguments are UNKNOWN, as the plugin guidelines ask

constexpr mfsmon::cli::ClusterCheck kClusterChecks[] = {
    mfsmon::cli::ClusterCheck::kChunkservers, mfsmon::cli::ClusterCheck::kDisks,
    mfsmon::cli::ClusterCheck::kSpace,        mfsmon::cli::ClusterCheck::kMaster,
    mfsmon::cli::ClusterCheck::kClasses,      mfsmon::cli::ClusterCheck::kHealth,
};
constexpr std::size_t kClusterCheckCount = sizeof kClusterChecks / sizeof kClusterChecks[0];

// Ends a run that parsed: std::exit flushes stdout and runs the static destructors, as a
// return from main would, but leaves main's locals alone. Tearing down CLI11's option tree
// (hundreds of small strings and std::functions, all freed by the process's exit anyway) was
// about a tenth of a `check replicas` run's instructions.
[[noreturn]] void Exit(int code) {
    std::exit(code);
}

}  // namespace

// A check is started thousands of times per interval, and building CLI11's option objects
// for every check costs start-up time that one check does not need. When argv names one
// check ("check NAME ..."), only that check's options are built; anything else (help,
// explain, a typo) builds them all, so messages and help are complete.
std::string OnlyCheck(int argc, char** argv) {
    if (argc < 3 || std::string(argv[1]) != "check") return {};
    const std::string name = argv[2];
    if (name == "replicas") return name;
    for (auto c : kClusterChecks) {
        if (name == mfsmon::cli::CheckName(c)) return name;
    }
    return {};
}

int main(int argc, char** argv) {
    // Everything after "exporter" belongs to mfsmon-exporter (its own --help lists it).
    if (argc >= 2 && std::string(argv[1]) == "exporter") {
        return mfsmon::cli::ExecExporter(argc, argv);
    }
    CLI::App app{"mfsmon - fast MooseFS monitoring (Nagios/Icinga checks, JSON)", "mfsmon"};
    app.set_version_flag("-V,--version", "mfsmon " MFSMON_VERSION);
    app.require_subcommand(1);
    CLI::App* check = app.add_subcommand("check", "monitoring-plugin checks (exit 0-3)");
    check->require_subcommand(1);
    const std::string only = OnlyCheck(argc, argv);
    mfsmon::cli::ReplicasOptions replicas;
    CLI::App* replicas_app = only.empty() || only == "replicas"
                                 ? mfsmon::cli::AddCheckReplicas(*check, replicas)
                                 : nullptr;
    mfsmon::cli::ClusterCheckOptions cluster[kClusterCheckCount];
    CLI::App* cluster_apps[kClusterCheckCount] = {};
    for (std::size_t i = 0; i < kClusterCheckCount; ++i) {
        if (only.empty() || only == mfsmon::cli::CheckName(kClusterChecks[i])) {
            cluster_apps[i] = mfsmon::cli::AddClusterCheck(*check, kClusterChecks[i], cluster[i]);
        }
    }
    app.footer(
        "Checks (mfsmon check NAME --help for options):\n"
        "  replicas      are all chunks at their goal? (missing, endangered, undergoal)\n"
        "  chunkservers  disconnected, maintenance, overload, version skew, usage\n"
        "  disks         invalid, damaged, I/O errors, usage, marked for removal and readiness\n"
        "  space         cluster space used and free, trash\n"
        "  master        metadata saves, memory, metaloggers\n"
        "  classes       storage classes in use that cannot be fulfilled\n"
        "  health        all of the above in one check, with finding codes and --mute\n"
        "mfsmon status shows the whole cluster with recovery progress and ETA; mfsmon watch "
        "refreshes it in place.\n"
        "mfsmon explain [CODE] says what a finding code means and what to do.\n"
        "mfsmon exporter [OPTIONS] runs the Prometheus exporter (mfsmon-exporter --help).");
    // `explain` is a sibling of `check`: once argv names a check it cannot be reached (the
    // root takes one subcommand), so it is built only when no check is named.
    mfsmon::cli::ExplainOptions explain;
    CLI::App* explain_app = only.empty() ? mfsmon::cli::AddExplain(app, explain) : nullptr;
    mfsmon::cli::StatusOptions status, watch;
    CLI::App* status_app = only.empty() ? mfsmon::cli::AddStatus(app, status) : nullptr;
    CLI::App* watch_app = only.empty() ? mfsmon::cli::AddWatch(app, watch) : nullptr;

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
        const char* service = "MFSMON";
        if (check->parsed()) where = check;
        if (replicas_app != nullptr && replicas_app->parsed()) {
            where = replicas_app;
            service = "MOOSEFS REPLICAS";
        }
        for (std::size_t i = 0; i < kClusterCheckCount; ++i) {
            if (cluster_apps[i] != nullptr && cluster_apps[i]->parsed()) {
                where = cluster_apps[i];
                service = mfsmon::cli::ServiceName(kClusterChecks[i]);
            }
        }
        if (explain_app != nullptr && explain_app->parsed()) where = explain_app;
        if (status_app != nullptr && status_app->parsed()) where = status_app;
        if (watch_app != nullptr && watch_app->parsed()) where = watch_app;
        // CLI11 may echo the offending argument: keep the status line one printable line.
        const std::string what = mfsmon::ControlCharsReplaced(e.what());
        std::printf("%s UNKNOWN - %s\n", service, what.c_str());
        std::fputs(where->help("", CLI::AppFormatMode::Normal).c_str(), stdout);
        return kUnknownExit;
    }

    if (replicas_app != nullptr && replicas_app->parsed()) {
        Exit(mfsmon::cli::RunCheckReplicas(replicas));
    }
    for (std::size_t i = 0; i < kClusterCheckCount; ++i) {
        if (cluster_apps[i] != nullptr && cluster_apps[i]->parsed())
            Exit(mfsmon::cli::RunClusterCheck(cluster[i]));
    }
    if (explain_app != nullptr && explain_app->parsed()) Exit(mfsmon::cli::RunExplain(explain));
    if (status_app != nullptr && status_app->parsed()) Exit(mfsmon::cli::RunStatus(status));
    if (watch_app != nullptr && watch_app->parsed()) Exit(mfsmon::cli::RunWatch(watch));
    Exit(kUnknownExit);
}
