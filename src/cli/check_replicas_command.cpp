#include "cli/check_replicas_command.h"

#include <chrono>
#include <cstdio>

#include "health/replicas_rule.h"
#include "health/threshold_range.h"
#include "protocol/replica_query.h"
#include "render/json_output.h"
#include "render/plugin_output.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

namespace {

constexpr const char* kService = "MOOSEFS REPLICAS";

// CLI11 validator: a Monitoring Plugins range, or an error that names the option.
std::string ValidateRange(const std::string& text) {
    auto r = health::Range::Parse(text);
    return r ? std::string() : r.error().message;
}

void AddRange(CLI::App* app, const char* name, std::string& target, const char* help) {
    app->add_option(name, target, help)->type_name("RANGE")->check(ValidateRange);
}

// Options were validated while parsing, so Parse cannot fail here.
void Override(std::optional<health::Range>& slot, const std::string& text) {
    if (!text.empty()) slot = std::move(health::Range::Parse(text)).value();
}

}  // namespace

CLI::App* AddCheckReplicas(CLI::App& check, ReplicasOptions& o) {
    CLI::App* app = check.add_subcommand(
        "replicas",
        "Are all chunks at their goal? OK when none is short; WARNING when some lack replicas "
        "(undergoal) or depend on disks marked for removal; CRITICAL when some are endangered "
        "(one copy left) or lost (missing). Unreadable answers are UNKNOWN.");
    app->add_option("-H,--host", o.host, "master host name or address")->required();
    app->add_option("-P,--port", o.port, "master client port")
        ->default_val(9421)
        ->check(CLI::Range(1, 65535));
    app->add_option("-t,--timeout", o.timeout_s,
                    "seconds for the whole run (connect, requests, answers)")
        ->default_val(10)
        ->check(CLI::Range(0.001, 3600.0));
    app->add_option("--settle", o.settle_s,
                    "while the master says counters may not be valid, ask again for up to SEC "
                    "seconds (within 3/4 of -t); 0 answers at once and shows the flag")
        ->default_val(0)
        ->check(CLI::Range(0.0, 3600.0));
    app->add_option("--format", o.format, "output: text (plugin) or json")
        ->default_val("text")
        ->check(CLI::IsMember({"text", "json"}));
    AddRange(app, "--missing-warning", o.missing_warning,
             "range for missing chunks (default: none)");
    AddRange(app, "--missing-critical", o.missing_critical,
             "range for missing chunks (default: 0)");
    AddRange(app, "--endangered-warning", o.endangered_warning,
             "range for endangered chunks (default: none)");
    AddRange(app, "--endangered-critical", o.endangered_critical,
             "range for endangered chunks (default: 0)");
    AddRange(app, "--undergoal-warning", o.undergoal_warning,
             "range for undergoal chunks (default: 0)");
    AddRange(app, "--undergoal-critical", o.undergoal_critical,
             "range for undergoal chunks (default: none)");
    AddRange(app, "--marked-warning", o.marked_warning,
             "range for chunks below goal once disks marked for removal are gone (default: 0)");
    AddRange(app, "--marked-critical", o.marked_critical, "same, critical (default: none)");
    app->footer(
        "RANGE is a Monitoring Plugins threshold: N (alert above N), N: (below N), ~:N, N:M "
        "(outside), @N:M (inside); '~:' never alerts.\nExit codes: 0 OK, 1 WARNING, "
        "2 CRITICAL, 3 UNKNOWN.");
    return app;
}

int RunCheckReplicas(const ReplicasOptions& o) {
    health::ReplicasThresholds thresholds = health::ReplicasThresholds::Defaults();
    Override(thresholds.missing.warning, o.missing_warning);
    Override(thresholds.missing.critical, o.missing_critical);
    Override(thresholds.endangered.warning, o.endangered_warning);
    Override(thresholds.endangered.critical, o.endangered_critical);
    Override(thresholds.undergoal.warning, o.undergoal_warning);
    Override(thresholds.undergoal.critical, o.undergoal_critical);
    Override(thresholds.marked.warning, o.marked_warning);
    Override(thresholds.marked.critical, o.marked_critical);

    const auto deadline = transport::Deadline::After(
        std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000.0 + 0.5)));
    protocol::ReplicaQuery query{
        o.host, o.port,
        std::chrono::milliseconds(static_cast<long long>(o.settle_s * 1000.0 + 0.5))};
    const bool json = o.format == "json";

    auto snapshot = protocol::FetchReplicaSnapshot(query, deadline);
    if (!snapshot) {
        const std::string out = json ? render::RenderJsonError("replicas", snapshot.error())
                                     : render::RenderPluginError(kService, snapshot.error());
        std::fputs(out.c_str(), stdout);
        return static_cast<int>(health::State::kUnknown);
    }
    const health::Report report = health::EvaluateReplicas(*snapshot, thresholds);
    const std::string out = json ? render::RenderReplicasJson(*snapshot, report)
                                 : render::RenderPluginOutput(kService, report);
    std::fputs(out.c_str(), stdout);
    return static_cast<int>(report.state);
}

}  // namespace mfsmon::cli
