#include "cli/check_replicas_command.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/option_values.h"
#include "health/replicas_rule.h"
#include "health/threshold_range.h"
#include "protocol/replica_query.h"
#include "render/json_output.h"
#include "render/plugin_output.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

namespace {

constexpr const char* kService = "MOOSEFS REPLICAS";

// CLI11 validators: the option_values parsers, their message or "" when the value is fine.
template <typename ParseResult>
std::string MessageOf(const ParseResult& r) {
    return r ? std::string() : r.error().message;
}

std::string ValidateRange(const std::string& text) {
    return MessageOf(health::Range::Parse(text));
}
std::string ValidateHost(const std::string& text) {
    return MessageOf(ParseHostPort(text));
}
std::string ValidatePort(const std::string& text) {
    return MessageOf(ParsePort(text));
}
std::string ValidateTimeout(const std::string& text) {
    return MessageOf(ParseSeconds(text, "timeout", 0, 3600, true));
}
std::string ValidateSettle(const std::string& text) {
    return MessageOf(ParseSeconds(text, "settle", 0, 3600, false));
}
std::string ValidateFormat(const std::string& text) {
    return MessageOf(CheckFormat(text));
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
    // Defaults live in ReplicasOptions and in the help text; validators are plain
    // functions with fixed descriptions. CLI11's default_val/Range/IsMember format numbers
    // through iostreams on every start, work a check run does not need.
    app->add_option("-H,--host", o.host,
                    "master host name or address, optionally with :PORT (default mfsmaster)")
        ->check(CLI::Validator(ValidateHost, "", "HOST"));
    app->add_option("-P,--port", o.port, "master client port (default 9421)")
        ->type_name("PORT")
        ->check(CLI::Validator(ValidatePort, "", "PORT"));
    app->add_option("-t,--timeout", o.timeout_s,
                    "seconds for the whole run: connect, requests, answers (default 10)")
        ->type_name("SEC")
        ->check(CLI::Validator(ValidateTimeout, "", "SEC"));
    app->add_option("--settle", o.settle_s,
                    "while the master says counters may not be valid, ask again for up to SEC "
                    "seconds (within 3/4 of -t); default 0: answer at once and show the flag")
        ->type_name("SEC")
        ->check(CLI::Validator(ValidateSettle, "", "SEC"));
    app->add_option("--format", o.format, "output: text (plugin, default) or json")
        ->type_name("FORMAT")
        ->check(CLI::Validator(ValidateFormat, "", "FORMAT"));
    // "-H master:9421" is a common habit; split it after parsing, refusing a second,
    // different port from -P.
    app->callback([app, &o] {
        auto hp = ParseHostPort(o.host);  // validated above
        if (!hp || !hp->port) return;
        if (app->count("--port") > 0 && o.port != *hp->port) {
            throw CLI::ValidationError("--host", "port " + std::to_string(*hp->port) +
                                                     " in --host differs from --port " +
                                                     std::to_string(o.port));
        }
        o.host = hp->host;
        o.port = *hp->port;
    });
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
