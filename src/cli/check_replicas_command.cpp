#include "cli/check_replicas_command.h"

#include <cstdio>

#include "cli/option_values.h"
#include "health/replicas_rule.h"
#include "model/trend_sample_builder.h"
#include "protocol/replica_query.h"
#include "render/json_output.h"
#include "render/plugin_output.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

constexpr const char* kService = "MOOSEFS REPLICAS";

CLI::App* AddCheckReplicas(CLI::App& check, ReplicasOptions& o) {
    CLI::App* app = check.add_subcommand(
        "replicas",
        "Are all chunks at their goal? OK when none is short; WARNING when some lack replicas "
        "(undergoal) or depend on disks marked for removal; CRITICAL when some are endangered "
        "(one copy left) or lost (missing). Unreadable answers are UNKNOWN.");
    // Defaults live in ReplicasOptions and in the help text (see option_values.h).
    AddHostPort(app, o.host, o.port);
    AddSeconds(app, "-t,--timeout", o.timeout_s,
               "seconds for the whole run: connect, requests, answers (default 10)",
               {.max = 3600, .zero_allowed = false});
    AddSeconds(app, "--settle", o.settle_s,
               "while the master says counters may not be valid, ask again for up to SEC "
               "seconds (within 3/4 of -t); default 0: answer at once and show the flag",
               {.max = 3600, .zero_allowed = true});
    AddFormat(app, o.format);
    AddHistoryOptions(app, o.history);
    app->callback([app, &o] { SplitHostPort(*app, o.host, o.port); });
    AddRanges(app, "--missing", o.ranges.missing, "range for missing chunks (default: none)",
              "range for missing chunks (default: 0)");
    AddRanges(app, "--endangered", o.ranges.endangered,
              "range for endangered chunks (default: none)",
              "range for endangered chunks (default: 0)");
    AddRanges(app, "--undergoal", o.ranges.undergoal, "range for undergoal chunks (default: 0)",
              "range for undergoal chunks (default: none)");
    AddRanges(app, "--marked", o.ranges.marked,
              "range for chunks below goal once disks marked for removal are gone (default: 0)",
              "same, critical (default: none)");
    app->footer(
        "RANGE is a Monitoring Plugins threshold: N (alert above N), N: (below N), ~:N, N:M "
        "(outside), @N:M (inside); '~:' never alerts.\nExit codes: 0 OK, 1 WARNING, "
        "2 CRITICAL, 3 UNKNOWN.");
    return app;
}

int RunCheckReplicas(const ReplicasOptions& o) {
    const health::ReplicasThresholds thresholds = ReplicasThresholdsOf(o.ranges);
    const auto deadline = transport::Deadline::After(Milliseconds(o.timeout_s));
    protocol::ReplicaQuery query{o.host, o.port, Milliseconds(o.settle_s), !o.history.no_history};
    const bool json = o.format == "json";

    auto snapshot = protocol::FetchReplicaSnapshot(query, deadline);
    if (!snapshot) {
        const std::string out = json ? render::RenderJsonError("replicas", snapshot.error())
                                     : render::RenderPluginError(kService, snapshot.error());
        std::fputs(out.c_str(), stdout);
        return static_cast<int>(health::State::kUnknown);
    }
    const auto sample = model::BuildSample(model::InputsOf(*snapshot, NowMs()));
    const health::RecoveryTrends trends =
        RunHistory(o.history, o.host, o.port, sample, snapshot->matrices.rows, deadline);
    const health::Report report =
        health::EvaluateReplicas(*snapshot, thresholds, trends.enabled ? &trends : nullptr);
    const std::string out = json ? render::RenderReplicasJson(*snapshot, report, &trends)
                                 : render::RenderPluginOutput(kService, report);
    std::fputs(out.c_str(), stdout);
    return static_cast<int>(report.state);
}

}  // namespace mfsmon::cli
