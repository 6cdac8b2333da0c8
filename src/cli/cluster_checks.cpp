#include "cli/cluster_checks.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cli/option_values.h"
#include "collect/collector.h"
#include "health/assemble.h"
#include "health/chunkservers_rule.h"
#include "health/classes_rule.h"
#include "health/cluster_health.h"
#include "health/disks_rule.h"
#include "health/master_rule.h"
#include "health/space_rule.h"
#include "health/stall_causes.h"
#include "model/trend_sample_builder.h"
#include "render/cluster_json.h"
#include "render/json_output.h"
#include "render/plugin_output.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

namespace {

using collect::Part;
using collect::PartSet;

struct CheckSpec {
    ClusterCheck check;
    const char* name;
    const char* service;
    const char* help;
};

constexpr CheckSpec kSpecs[] = {
    {ClusterCheck::kChunkservers, "chunkservers", "MOOSEFS CHUNKSERVERS",
     "Chunkservers: disconnected (CRITICAL; WARNING when they left in maintenance), maintenance, "
     "overload, version older than the master, usage per server, --expect N."},
    {ClusterCheck::kDisks, "disks", "MOOSEFS DISKS",
     "Disks of every connected chunkserver, asked concurrently: invalid or damaged (CRITICAL), "
     "recent I/O errors, usage, scanning, marked for removal and whether it is safe to remove."},
    {ClusterCheck::kSpace, "space", "MOOSEFS SPACE",
     "Cluster space used and free against ranges (percent or bytes); trash and sustained space."},
    {ClusterCheck::kMaster, "master", "MOOSEFS MASTER",
     "The master: age, duration and status of the last metadata save, memory, version; "
     "metaloggers connected (none: CRITICAL) and their versions."},
    {ClusterCheck::kClasses, "classes", "MOOSEFS CLASSES",
     "Storage classes in use whose target cannot be fulfilled (no servers, no space, "
     "overloaded, EC on hold); per-class chunk counts."},
    {ClusterCheck::kHealth, "health", "MOOSEFS HEALTH",
     "Everything above plus the replica rules and missing files, in one check: the state is "
     "the worst finding; every finding has a code (mfsmon explain CODE); --mute CODE."},
};

const CheckSpec& Spec(ClusterCheck c) {
    for (const auto& s : kSpecs) {
        if (s.check == c) return s;
    }
    return kSpecs[0];
}

void AddCommon(CLI::App* app, ClusterCheckOptions& o) {
    AddHostPort(app, o.host, o.port);
    AddSeconds(app, "-t,--timeout", o.timeout_s,
               "seconds for the whole run: master and chunkservers (default 10)",
               {.max = 3600, .zero_allowed = false});
    AddFormat(app, o.format);
    app->add_option("--mute", o.mutes,
                    "a finding code (or an area such as 'disks') shown but never counted in the "
                    "state; repeatable")
        ->type_name("CODE");
    app->callback([app, &o] {
        SplitHostPort(*app, o.host, o.port);
        if (const std::string bad = health::UnknownMute(o.mutes); !bad.empty()) {
            throw CLI::ValidationError("--mute", "'" + bad +
                                                     "' is no finding code or area (mfsmon "
                                                     "explain lists them)");
        }
    });
}

void AddChunkserverTimeout(CLI::App* app, ClusterCheckOptions& o) {
    AddSeconds(app, "--cs-timeout", o.cs_timeout_s,
               "seconds each chunkserver gets to answer its disk query, within -t "
               "(default: half of -t)",
               {.max = 3600, .zero_allowed = false});
}

void AddUsedOptions(CLI::App* app, ClusterCheckOptions& o, const char* what) {
    AddUsages(app, "--used", o.used, std::string("usage range for ") + what + " (default 90%)",
              std::string("usage range for ") + what + " (default 99%)");
}

// The checks that keep a history: their samples hold the matrix, and they say rate and ETA.
bool KeepsHistory(const ClusterCheckOptions& o) {
    return (o.check == ClusterCheck::kDisks || o.check == ClusterCheck::kHealth) &&
           !o.history.no_history;
}

PartSet PartsOf(ClusterCheck c);

PartSet PartsOf(const ClusterCheckOptions& o) {
    PartSet parts = PartsOf(o.check);
    // The chunk loop's timing paces the ETA; the metadata id keys the history.
    if (KeepsHistory(o)) parts |= PartSet{Part::kChunkLoop, Part::kIdentity};
    return parts;
}

PartSet PartsOf(ClusterCheck c) {
    switch (c) {
        case ClusterCheck::kChunkservers:
            return {Part::kChunkservers};
        case ClusterCheck::kDisks:
            return {Part::kChunkservers, Part::kDisks, Part::kMatrix};
        case ClusterCheck::kSpace:
            return {};
        case ClusterCheck::kMaster:
            return {Part::kMetaloggers};
        case ClusterCheck::kClasses:
            return {Part::kStorageClasses, Part::kClassMatrices};
        case ClusterCheck::kHealth:
            return {Part::kMatrix,         Part::kChunkservers,  Part::kDisks,
                    Part::kMetaloggers,    Part::kChunkLoop,     Part::kFsCheck,
                    Part::kStorageClasses, Part::kClassMatrices, Part::kMissingFiles};
    }
    return {};
}

health::ChunkserverRules ChunkserverRulesOf(const ClusterCheckOptions& o) {
    auto r = health::ChunkserverRules::Defaults();
    Override(r.usage, o.used);
    if (o.expect > 0) r.expect = o.expect;
    return r;
}

health::DiskRules DiskRulesOf(const ClusterCheckOptions& o) {
    auto r = health::DiskRules::Defaults();
    Override(r.usage, o.used);
    r.io_error_window = std::chrono::seconds(static_cast<long long>(o.io_error_window_s));
    return r;
}

health::SpaceRules SpaceRulesOf(const ClusterCheckOptions& o) {
    auto r = health::SpaceRules::Defaults();
    Override(r.used, o.used);
    Override(r.free, o.free);
    return r;
}

health::MasterRules MasterRulesOf(const ClusterCheckOptions& o) {
    auto r = health::MasterRules::Defaults();
    Override(r.save_age, o.save_age);
    Override(r.save_duration, o.save_duration);
    Override(r.memory, o.memory);
    return r;
}

// Every area with its default rules (the replica ranges and --max-paths aside), joined.
health::Evaluation HealthOf(const ClusterCheckOptions& o, const model::ClusterSnapshot& snap,
                            const health::RecoveryTrends& trends) {
    health::ClusterHealthRules rules;
    rules.replicas = ReplicasThresholdsOf(o.replica_ranges);
    rules.max_paths = o.max_paths;
    return health::EvaluateClusterHealth(snap, rules, trends);
}

health::Evaluation Evaluate(const ClusterCheckOptions& o, const model::ClusterSnapshot& snap,
                            const health::RecoveryTrends& trends) {
    health::Evaluation ev;
    switch (o.check) {
        case ClusterCheck::kChunkservers:
            health::EvaluateChunkservers(snap, ChunkserverRulesOf(o), ev);
            break;
        case ClusterCheck::kDisks: {
            health::EvaluateDisks(snap, DiskRulesOf(o), ev);
            const health::StallCauses causes = health::StallCausesOf(snap, {});
            health::AddRecoveryTrends(trends, causes, ev.findings, ev.details, ev.perfdata,
                                      health::TrendScope::kEvacuation);
            break;
        }
        case ClusterCheck::kSpace:
            health::EvaluateSpace(snap, SpaceRulesOf(o), ev);
            break;
        case ClusterCheck::kMaster:
            health::EvaluateMaster(snap, MasterRulesOf(o), ev);
            break;
        case ClusterCheck::kClasses:
            health::EvaluateClasses(snap, ev);
            break;
        case ClusterCheck::kHealth:
            ev = HealthOf(o, snap, trends);
            break;
    }
    return ev;
}

}  // namespace

const char* ServiceName(ClusterCheck which) {
    return Spec(which).service;
}

const char* CheckName(ClusterCheck which) {
    return Spec(which).name;
}

CLI::App* AddClusterCheck(CLI::App& check, ClusterCheck which, ClusterCheckOptions& o) {
    const CheckSpec& spec = Spec(which);
    o.check = which;
    CLI::App* app = check.add_subcommand(spec.name, spec.help);
    AddCommon(app, o);
    switch (which) {
        case ClusterCheck::kChunkservers:
            app->add_option("--expect", o.expect,
                            "CRITICAL when fewer than N chunkservers are connected")
                ->type_name("N")
                ->check(CLI::Range(1u, 100000u, "N"));
            AddUsedOptions(app, o, "each chunkserver's regular disks");
            break;
        case ClusterCheck::kDisks:
            AddUsedOptions(app, o, "each disk");
            AddSeconds(app, "--io-error-window", o.io_error_window_s,
                       "report a disk's last I/O error when it is at most SEC old "
                       "(default 86400)",
                       {.max = 3.2e7, .zero_allowed = true});
            AddChunkserverTimeout(app, o);
            AddHistoryOptions(app, o.history);
            break;
        case ClusterCheck::kSpace:
            AddUsedOptions(app, o, "the cluster's space");
            AddUsages(app, "--free", o.free,
                      "range for free space, e.g. '10%:' or '500GiB:' (alert below); no default",
                      "same, critical; no default");
            break;
        case ClusterCheck::kMaster:
            AddRanges(app, "--save-age", o.save_age,
                      "seconds since the last metadata save (default 7200)",
                      "seconds since the last metadata save (default 21600)");
            AddRanges(app, "--save-duration", o.save_duration,
                      "seconds the last save took (default 2700, the GUI's 45 min)",
                      "seconds the last save took (default: none)");
            AddRanges(app, "--memory", o.memory, "master memory in bytes (default: none)",
                      "master memory in bytes (default: none)");
            break;
        case ClusterCheck::kClasses:
            break;
        case ClusterCheck::kHealth:
            app->add_option("--max-paths", o.max_paths, "missing files listed by path (default 10)")
                ->type_name("N")
                ->check(CLI::Range(0u, 1000u, "N"));
            AddChunkserverTimeout(app, o);
            AddRanges(app, "--missing", o.replica_ranges.missing, "missing chunks (default none)",
                      "missing chunks (default 0)");
            AddRanges(app, "--endangered", o.replica_ranges.endangered,
                      "endangered chunks (default none)", "endangered chunks (default 0)");
            AddRanges(app, "--undergoal", o.replica_ranges.undergoal,
                      "undergoal chunks (default 0)", "undergoal chunks (default none)");
            AddRanges(app, "--marked", o.replica_ranges.marked,
                      "chunks depending on disks marked for removal (default 0)",
                      "same, critical (default none)");
            AddHistoryOptions(app, o.history);
            break;
    }
    app->footer(
        "RANGE is a Monitoring Plugins threshold: N (alert above N), N: (below N), ~:N, N:M "
        "(outside), @N:M (inside); '~:' never alerts. USAGE is a RANGE with one unit: % "
        "(default) or bytes (B, KiB, MiB, GiB, TiB, K, M, G, T, KB, MB, GB, TB).\nExit codes: 0 "
        "OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
    return app;
}

collect::PartSet HealthParts() {
    PartSet parts = PartsOf(ClusterCheck::kHealth);
    parts |= PartSet{Part::kChunkLoop, Part::kIdentity};
    return parts;
}

health::Report HealthReport(const model::ClusterSnapshot& snapshot,
                            const health::RecoveryTrends& trends) {
    return health::ClusterHealthReport(snapshot, trends);
}

int RunClusterCheck(const ClusterCheckOptions& o) {
    const CheckSpec& spec = Spec(o.check);
    const bool json = o.format == "json";
    const auto budget = Milliseconds(o.timeout_s);
    const auto deadline = transport::Deadline::After(budget);

    collect::CollectRequest request;
    request.host = o.host;
    request.port = o.port;
    request.parts = PartsOf(o);
    request.per_chunkserver = o.cs_timeout_s > 0 ? Milliseconds(o.cs_timeout_s) : budget / 2;
    request.resolve_paths = o.max_paths;

    auto snapshot = collect::Collect(request, deadline);
    if (!snapshot) {
        const std::string out = json ? render::RenderJsonError(spec.name, snapshot.error())
                                     : render::RenderPluginError(spec.service, snapshot.error());
        std::fputs(out.c_str(), stdout);
        return static_cast<int>(health::State::kUnknown);
    }
    health::RecoveryTrends trends;
    if (KeepsHistory(o) && snapshot->matrices && *snapshot->matrices) {
        const auto sample = model::BuildSample(model::InputsOf(*snapshot, NowMs()));
        trends = RunHistory(o.history, o.host, o.port, sample, snapshot->matrices->value().rows,
                            deadline);
    }
    health::Evaluation ev = Evaluate(o, *snapshot, trends);
    std::string ok = std::move(ev.ok_summary);
    const health::Report report = health::Assemble(std::move(ev), o.mutes, std::move(ok));
    const std::string out =
        json ? render::RenderClusterJson(spec.name, *snapshot, report, &trends)
             : render::RenderPluginOutput(spec.service, report, render::kNagiosOutputLimit);
    std::fputs(out.c_str(), stdout);
    return static_cast<int>(report.state);
}

}  // namespace mfsmon::cli
