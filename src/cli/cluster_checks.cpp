#include "cli/cluster_checks.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/option_values.h"
#include "collect/collector.h"
#include "health/assemble.h"
#include "health/chunkservers_rule.h"
#include "health/classes_rule.h"
#include "health/disks_rule.h"
#include "health/files_rule.h"
#include "health/master_rule.h"
#include "health/replicas_rule.h"
#include "health/space_rule.h"
#include "health/threshold_range.h"
#include "health/usage_threshold.h"
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

template <typename R>
std::string MessageOf(const R& r) {
    return r ? std::string() : r.error().message;
}

void AddRange(CLI::App* app, const char* name, std::string& target, const char* help) {
    app->add_option(name, target, help)
        ->type_name("RANGE")
        ->check(CLI::Validator(
            [](const std::string& t) { return MessageOf(health::Range::Parse(t)); }, "", "RANGE"));
}

void AddUsage(CLI::App* app, const char* name, std::string& target, const char* help) {
    app->add_option(name, target, help)
        ->type_name("USAGE")
        ->check(CLI::Validator(
            [](const std::string& t) { return MessageOf(health::UsageRange::Parse(t)); }, "",
            "USAGE"));
}

void Override(std::optional<health::Range>& slot, const std::string& text) {
    if (!text.empty()) slot = std::move(health::Range::Parse(text)).value();
}
void Override(std::optional<health::UsageRange>& slot, const std::string& text) {
    if (!text.empty()) slot = std::move(health::UsageRange::Parse(text)).value();
}

void AddCommon(CLI::App* app, ClusterCheckOptions& o) {
    app->add_option("-H,--host", o.host,
                    "master host name or address, optionally with :PORT (default mfsmaster)")
        ->check(CLI::Validator([](const std::string& t) { return MessageOf(ParseHostPort(t)); }, "",
                               "HOST"));
    app->add_option("-P,--port", o.port, "master client port (default 9421)")
        ->type_name("PORT")
        ->check(CLI::Validator([](const std::string& t) { return MessageOf(ParsePort(t)); }, "",
                               "PORT"));
    app->add_option("-t,--timeout", o.timeout_s,
                    "seconds for the whole run: master and chunkservers (default 10)")
        ->type_name("SEC")
        ->check(CLI::Validator(
            [](const std::string& t) {
                return MessageOf(ParseSeconds(t, "timeout", 0, 3600, true));
            },
            "", "SEC"));
    app->add_option("--format", o.format, "output: text (plugin, default) or json")
        ->type_name("FORMAT")
        ->check(CLI::Validator([](const std::string& t) { return MessageOf(CheckFormat(t)); }, "",
                               "FORMAT"));
    app->add_option("--mute", o.mutes,
                    "a finding code (or an area such as 'disks') shown but never counted in the "
                    "state; repeatable")
        ->type_name("CODE");
    app->callback([app, &o] {
        auto hp = ParseHostPort(o.host);
        if (hp && hp->port) {
            if (app->count("--port") > 0 && o.port != *hp->port) {
                throw CLI::ValidationError("--host", "port " + std::to_string(*hp->port) +
                                                         " in --host differs from --port " +
                                                         std::to_string(o.port));
            }
            o.host = hp->host;
            o.port = *hp->port;
        }
        if (const std::string bad = health::UnknownMute(o.mutes); !bad.empty()) {
            throw CLI::ValidationError("--mute", "'" + bad +
                                                     "' is no finding code or area (mfsmon "
                                                     "explain lists them)");
        }
    });
}

void AddChunkserverTimeout(CLI::App* app, ClusterCheckOptions& o) {
    app->add_option("--cs-timeout", o.cs_timeout_s,
                    "seconds each chunkserver gets to answer its disk query, within -t "
                    "(default: half of -t)")
        ->type_name("SEC")
        ->check(CLI::Validator(
            [](const std::string& t) {
                return MessageOf(ParseSeconds(t, "cs-timeout", 0, 3600, true));
            },
            "", "SEC"));
}

void AddUsageOptions(CLI::App* app, ClusterCheckOptions& o, const char* what) {
    AddUsage(app, "--used-warning", o.used_warning,
             (std::string("usage range for ") + what + " (default 90%)").c_str());
    AddUsage(app, "--used-critical", o.used_critical,
             (std::string("usage range for ") + what + " (default 99%)").c_str());
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
            return {Part::kStorageClasses};
        case ClusterCheck::kHealth:
            return {Part::kMatrix,         Part::kChunkservers, Part::kDisks,
                    Part::kMetaloggers,    Part::kChunkLoop,    Part::kFsCheck,
                    Part::kStorageClasses, Part::kMissingFiles};
    }
    return {};
}

health::ChunkserverRules ChunkserverRulesOf(const ClusterCheckOptions& o) {
    auto r = health::ChunkserverRules::Defaults();
    Override(r.usage.warning, o.used_warning);
    Override(r.usage.critical, o.used_critical);
    if (o.expect > 0) r.expect = o.expect;
    return r;
}

health::DiskRules DiskRulesOf(const ClusterCheckOptions& o) {
    auto r = health::DiskRules::Defaults();
    Override(r.usage.warning, o.used_warning);
    Override(r.usage.critical, o.used_critical);
    r.io_error_window = std::chrono::seconds(static_cast<long long>(o.io_error_window_s));
    return r;
}

health::SpaceRules SpaceRulesOf(const ClusterCheckOptions& o) {
    auto r = health::SpaceRules::Defaults();
    Override(r.used.warning, o.used_warning);
    Override(r.used.critical, o.used_critical);
    Override(r.free.warning, o.free_warning);
    Override(r.free.critical, o.free_critical);
    return r;
}

health::MasterRules MasterRulesOf(const ClusterCheckOptions& o) {
    auto r = health::MasterRules::Defaults();
    Override(r.save_age.warning, o.save_age_warning);
    Override(r.save_age.critical, o.save_age_critical);
    Override(r.save_duration.warning, o.save_duration_warning);
    Override(r.save_duration.critical, o.save_duration_critical);
    Override(r.memory.warning, o.memory_warning);
    Override(r.memory.critical, o.memory_critical);
    return r;
}

health::ReplicasThresholds ReplicasOf(const ClusterCheckOptions& o) {
    auto t = health::ReplicasThresholds::Defaults();
    Override(t.missing.warning, o.missing_warning);
    Override(t.missing.critical, o.missing_critical);
    Override(t.endangered.warning, o.endangered_warning);
    Override(t.endangered.critical, o.endangered_critical);
    Override(t.undergoal.warning, o.undergoal_warning);
    Override(t.undergoal.critical, o.undergoal_critical);
    Override(t.marked.warning, o.marked_warning);
    Override(t.marked.critical, o.marked_critical);
    return t;
}

// The replica rule reads the matrices as `check replicas` does; in `check health` it is one
// area among the others.
health::Evaluation ReplicasArea(const model::ClusterSnapshot& snap,
                                const health::ReplicasThresholds& t) {
    health::Evaluation ev;
    const auto* matrices = health::NeedPart(snap.matrices, "the chunk matrix (CHUNKS_MATRIX)", ev);
    if (matrices == nullptr) return ev;
    model::ReplicaSnapshot rs;
    rs.master_host = snap.master_host;
    rs.master_port = snap.master_port;
    rs.info = snap.info;
    rs.matrices = *matrices;
    health::Report r = health::EvaluateReplicas(rs, t);
    ev.findings = std::move(r.findings);
    ev.perfdata = std::move(r.perfdata);
    ev.details = std::move(r.details);
    ev.ok_summary = r.summary;
    return ev;
}

health::Evaluation Evaluate(const ClusterCheckOptions& o, const model::ClusterSnapshot& snap) {
    health::Evaluation ev;
    switch (o.check) {
        case ClusterCheck::kChunkservers:
            health::EvaluateChunkservers(snap, ChunkserverRulesOf(o), ev);
            break;
        case ClusterCheck::kDisks:
            health::EvaluateDisks(snap, DiskRulesOf(o), ev);
            break;
        case ClusterCheck::kSpace:
            health::EvaluateSpace(snap, SpaceRulesOf(o), ev);
            break;
        case ClusterCheck::kMaster:
            health::EvaluateMaster(snap, MasterRulesOf(o), ev);
            break;
        case ClusterCheck::kClasses:
            health::EvaluateClasses(snap, ev);
            break;
        case ClusterCheck::kHealth: {
            // Perfdata labels are prefixed by area: "used" means different things in each.
            health::Append(ev, ReplicasArea(snap, ReplicasOf(o)), "replicas");
            health::Evaluation files;
            health::EvaluateFiles(snap, o.max_paths, files);
            health::Append(ev, std::move(files), "files");
            health::Evaluation cs;
            health::EvaluateChunkservers(snap, health::ChunkserverRules::Defaults(), cs);
            // One check for thousands of servers: the per-server detail stays in `check
            // chunkservers`; health keeps the findings and the totals.
            cs.details.resize(std::min<std::size_t>(cs.details.size(), 1));
            std::erase_if(cs.perfdata, [](const health::Perfdatum& p) { return p.droppable; });
            health::Append(ev, std::move(cs), "chunkservers");
            health::Evaluation disks;
            health::EvaluateDisks(snap, health::DiskRules::Defaults(), disks);
            disks.details.resize(std::min<std::size_t>(disks.details.size(), 2));
            health::Append(ev, std::move(disks), "disks");
            health::Evaluation space;
            health::EvaluateSpace(snap, health::SpaceRules::Defaults(), space);
            health::Append(ev, std::move(space), "space");
            health::Evaluation master;
            health::EvaluateMaster(snap, health::MasterRules::Defaults(), master);
            health::Append(ev, std::move(master), "master");
            health::Evaluation classes;
            health::EvaluateClasses(snap, classes);
            std::erase_if(classes.perfdata, [](const health::Perfdatum& p) { return p.droppable; });
            classes.details.resize(std::min<std::size_t>(classes.details.size(), 1));
            health::Append(ev, std::move(classes), "classes");
            ev.ok_summary = "no problems found";
            break;
        }
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
            AddUsageOptions(app, o, "each chunkserver's regular disks");
            break;
        case ClusterCheck::kDisks:
            AddUsageOptions(app, o, "each disk");
            app->add_option("--io-error-window", o.io_error_window_s,
                            "report a disk's last I/O error when it is at most SEC old "
                            "(default 86400)")
                ->type_name("SEC")
                ->check(CLI::Validator(
                    [](const std::string& t) {
                        return MessageOf(ParseSeconds(t, "io-error-window", 0, 3.2e7, false));
                    },
                    "", "SEC"));
            AddChunkserverTimeout(app, o);
            break;
        case ClusterCheck::kSpace:
            AddUsageOptions(app, o, "the cluster's space");
            AddUsage(app, "--free-warning", o.free_warning,
                     "range for free space, e.g. '10%:' or '500GiB:' (alert below); no default");
            AddUsage(app, "--free-critical", o.free_critical, "same, critical; no default");
            break;
        case ClusterCheck::kMaster:
            AddRange(app, "--save-age-warning", o.save_age_warning,
                     "seconds since the last metadata save (default 7200)");
            AddRange(app, "--save-age-critical", o.save_age_critical,
                     "seconds since the last metadata save (default 21600)");
            AddRange(app, "--save-duration-warning", o.save_duration_warning,
                     "seconds the last save took (default 2700, the GUI's 45 min)");
            AddRange(app, "--save-duration-critical", o.save_duration_critical,
                     "seconds the last save took (default: none)");
            AddRange(app, "--memory-warning", o.memory_warning,
                     "master memory in bytes (default: none)");
            AddRange(app, "--memory-critical", o.memory_critical,
                     "master memory in bytes (default: none)");
            break;
        case ClusterCheck::kClasses:
            break;
        case ClusterCheck::kHealth:
            app->add_option("--max-paths", o.max_paths, "missing files listed by path (default 10)")
                ->type_name("N")
                ->check(CLI::Range(0u, 1000u, "N"));
            AddChunkserverTimeout(app, o);
            AddRange(app, "--missing-warning", o.missing_warning, "missing chunks (default none)");
            AddRange(app, "--missing-critical", o.missing_critical, "missing chunks (default 0)");
            AddRange(app, "--endangered-warning", o.endangered_warning,
                     "endangered chunks (default none)");
            AddRange(app, "--endangered-critical", o.endangered_critical,
                     "endangered chunks (default 0)");
            AddRange(app, "--undergoal-warning", o.undergoal_warning,
                     "undergoal chunks (default 0)");
            AddRange(app, "--undergoal-critical", o.undergoal_critical,
                     "undergoal chunks (default none)");
            AddRange(app, "--marked-warning", o.marked_warning,
                     "chunks depending on disks marked for removal (default 0)");
            AddRange(app, "--marked-critical", o.marked_critical, "same, critical (default none)");
            break;
    }
    app->footer(
        "RANGE is a Monitoring Plugins threshold: N (alert above N), N: (below N), ~:N, N:M "
        "(outside), @N:M (inside); '~:' never alerts. USAGE is a RANGE with one unit: % "
        "(default) or bytes (B, KiB, MiB, GiB, TiB, K, M, G, T, KB, MB, GB, TB).\nExit codes: 0 "
        "OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
    return app;
}

int RunClusterCheck(const ClusterCheckOptions& o) {
    const CheckSpec& spec = Spec(o.check);
    const bool json = o.format == "json";
    const auto budget =
        std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000.0 + 0.5));
    const auto deadline = transport::Deadline::After(budget);

    collect::CollectRequest request;
    request.host = o.host;
    request.port = o.port;
    request.parts = PartsOf(o.check);
    request.per_chunkserver =
        o.cs_timeout_s > 0
            ? std::chrono::milliseconds(static_cast<long long>(o.cs_timeout_s * 1000.0 + 0.5))
            : budget / 2;
    request.resolve_paths = o.max_paths;

    auto snapshot = collect::Collect(request, deadline);
    if (!snapshot) {
        const std::string out = json ? render::RenderJsonError(spec.name, snapshot.error())
                                     : render::RenderPluginError(spec.service, snapshot.error());
        std::fputs(out.c_str(), stdout);
        return static_cast<int>(health::State::kUnknown);
    }
    health::Evaluation ev = Evaluate(o, *snapshot);
    std::string ok = std::move(ev.ok_summary);
    const health::Report report = health::Assemble(std::move(ev), o.mutes, std::move(ok));
    const std::string out =
        json ? render::RenderClusterJson(spec.name, *snapshot, report)
             : render::RenderPluginOutput(spec.service, report, render::kNagiosOutputLimit);
    std::fputs(out.c_str(), stdout);
    return static_cast<int>(report.state);
}

}  // namespace mfsmon::cli
