#include "cli/status_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <vector>

#include <fmt/format.h>

#include "cli/cluster_checks.h"
#include "cli/option_values.h"
#include "collect/collector.h"
#include "health/recovery_trends.h"
#include "model/trend_sample_builder.h"
#include "render/cluster_json.h"
#include "render/json_output.h"
#include "render/status_text.h"
#include "render/watch_screen.h"
#include "transport/deadline.h"

namespace mfsmon::cli {

namespace {

// watch keeps this many samples in memory: at the default 2 s, a bit over an hour.
constexpr std::size_t kWatchSamples = 2000;

void AddConnection(CLI::App* app, StatusOptions& o) {
    AddHostPort(app, o.host, o.port);
    AddSeconds(app, "-t,--timeout", o.timeout_s,
               "seconds for one collection: master and chunkservers (default 10)",
               {.max = 3600, .zero_allowed = false});
    AddSeconds(app, "--cs-timeout", o.cs_timeout_s,
               "seconds each chunkserver gets to answer its disk query, within -t "
               "(default: half of -t)",
               {.max = 3600, .zero_allowed = false});
    app->add_option("--color", o.color, "colour: auto (a terminal without NO_COLOR), always, never")
        ->type_name("WHEN")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    app->callback([app, &o] { SplitHostPort(*app, o.host, o.port); });
}

ColorMode ColorOf(const StatusOptions& o) {
    if (o.color == "always") return ColorMode::kAlways;
    if (o.color == "never") return ColorMode::kNever;
    return ColorMode::kAuto;
}

Result<model::ClusterSnapshot> CollectHealth(const StatusOptions& o) {
    const auto budget = Milliseconds(o.timeout_s);
    const auto deadline = transport::Deadline::After(budget);
    collect::CollectRequest request;
    request.host = o.host;
    request.port = o.port;
    request.parts = HealthParts();
    request.per_chunkserver = o.cs_timeout_s > 0 ? Milliseconds(o.cs_timeout_s) : budget / 2;
    return collect::Collect(request, deadline);
}

model::RowMeaning RowsOf(const model::ClusterSnapshot& snap) {
    return snap.matrices && *snap.matrices ? snap.matrices->value().rows : model::RowMeaning::kGoal;
}

}  // namespace

CLI::App* AddStatus(CLI::App& app, StatusOptions& o) {
    CLI::App* status = app.add_subcommand(
        "status",
        "One screen about the cluster: health and findings, services, data, and progress with "
        "rate and ETA of every recovery and evacuation (from the history of earlier runs).");
    AddConnection(status, o);
    AddFormat(status, o.format);
    AddHistoryOptions(status, o.history);
    status->footer(
        "Exit code: the health state, as `check health` (0 OK, 1 WARNING, 2 CRITICAL, "
        "3 UNKNOWN).");
    return status;
}

CLI::App* AddWatch(CLI::App& app, StatusOptions& o) {
    CLI::App* watch = app.add_subcommand(
        "watch",
        "Refreshes in place: per goal the count below goal with a trend arrow, rate and ETA, "
        "each disk marked for removal and its evacuation. Keeps its own history in memory "
        "(needs no state directory). Ctrl-C ends it.");
    AddConnection(watch, o);
    AddSeconds(watch, "-i,--interval", o.interval_s, "seconds between refreshes (default 2)",
               {.max = 3600, .zero_allowed = false});
    watch->add_option("-n,--count", o.count, "stop after N refreshes (default: until Ctrl-C)")
        ->type_name("N");
    AddSeconds(watch, "--stall-after", o.history.stall_after_s,
               "seconds without progress before recovery counts as stalled (default 1800)",
               {.max = 30 * 86400, .zero_allowed = false});
    return watch;
}

int RunStatus(const StatusOptions& o) {
    const bool json = o.format == "json";
    auto snapshot = CollectHealth(o);
    if (!snapshot) {
        if (json) {
            std::fputs(render::RenderJsonError("status", snapshot.error()).c_str(), stdout);
        } else {
            std::printf("mfsmon status: %s:%u: %s\n", o.host.c_str(), o.port,
                        snapshot.error().message.c_str());
        }
        return static_cast<int>(health::State::kUnknown);
    }
    health::RecoveryTrends trends;
    if (snapshot->matrices && *snapshot->matrices) {
        const auto deadline = transport::Deadline::After(Milliseconds(o.timeout_s));
        const auto sample = model::BuildSample(model::InputsOf(*snapshot, NowMs()));
        trends = RunHistory(o.history, o.host, o.port, sample, RowsOf(*snapshot), deadline);
    }
    const health::Report report = HealthReport(*snapshot, trends);
    if (json) {
        std::fputs(render::RenderClusterJson("status", *snapshot, report, &trends).c_str(), stdout);
    } else {
        render::TextStyle style;
        style.color = UseColor(ColorOf(o));
        style.unicode = UseUnicode();
        style.width = ::isatty(STDOUT_FILENO) == 1 ? StdoutSize().columns : 0;
        std::fputs(render::RenderStatusText(*snapshot, report, trends, style).c_str(), stdout);
    }
    return static_cast<int>(report.state);
}

int RunWatch(const StatusOptions& o) {
    InstallStopHandlers();
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    FullScreen screen(tty);
    std::deque<model::TrendSample> samples;
    const trend::TrendConfig config = TrendConfigOf(o.history);
    unsigned shown = 0;
    while (!StopRequested()) {
        const auto started = std::chrono::steady_clock::now();
        auto snapshot = CollectHealth(o);
        render::TextStyle style;
        style.color = UseColor(ColorOf(o));
        style.unicode = UseUnicode();
        const TerminalSize size = tty ? StdoutSize() : TerminalSize{0, 0};
        style.width = size.columns;
        std::string text;
        if (!snapshot) {
            text = render::RenderWatchError(o.host, o.port, snapshot.error(), style);
        } else {
            health::RecoveryTrends trends;
            trends.enabled = false;
            if (snapshot->matrices && *snapshot->matrices) {
                auto sample = model::BuildSample(model::InputsOf(*snapshot, NowMs()));
                const std::vector<model::TrendSample> previous(samples.begin(), samples.end());
                trends = health::BuildRecoveryTrends(previous, sample, RowsOf(*snapshot), config);
                samples.push_back(std::move(sample));
                if (samples.size() > kWatchSamples) samples.pop_front();
            }
            const health::Report report = HealthReport(*snapshot, trends);
            text = render::RenderWatchScreen(*snapshot, report, trends, style, o.interval_s);
        }
        if (StopRequested()) break;
        screen.Draw(render::CutToRows(text, size.rows));
        ++shown;
        if (o.count > 0 && shown >= o.count) break;
        const double spent =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (spent < o.interval_s) SleepUnlessStopped(o.interval_s - spent);
        TakeResize();
    }
    return 0;
}

}  // namespace mfsmon::cli
