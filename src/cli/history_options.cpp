#include "cli/history_options.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "cli/option_values.h"
#include "history/history_store.h"
#include "history/state_dir.h"

namespace mfsmon::cli {

void AddHistoryOptions(CLI::App* app, HistoryOptions& o) {
    app->add_option("--state-dir", o.state_dir,
                    "where the history of earlier runs is kept (default: $MP_STATE_PATH, "
                    "$NAGIOS_PLUGIN_STATE_DIRECTORY, /var/lib/mfsmon for root, else "
                    "$XDG_STATE_HOME/mfsmon)")
        ->type_name("DIR");
    app->add_flag("--no-history", o.no_history,
                  "keep no history: no trend, rate or ETA, nothing written");
    AddSeconds(app, "--stall-after", o.stall_after_s,
               "WARNING when chunks stay below goal this long without progress (default 1800; "
               "never less than two chunk-loop passes)",
               {.max = 30 * 86400, .zero_allowed = false});
}

std::int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

trend::TrendConfig TrendConfigOf(const HistoryOptions& o) {
    trend::TrendConfig config;
    config.stall_after_s = o.stall_after_s;
    return config;
}

health::RecoveryTrends RunHistory(const HistoryOptions& o, const std::string& host,
                                  std::uint16_t port, const model::TrendSample& current,
                                  model::RowMeaning rows, const transport::Deadline& deadline) {
    if (o.no_history) return {};
    std::vector<std::string> notes;
    history::HistoryOutcome outcome;
    auto dir = history::ResolveStateDir(o.state_dir, history::StateEnv::FromProcess());
    if (!dir) {
        notes.push_back(fmt::format("history off: {}", dir.error().message));
    } else if (auto ready = history::PrepareStateDir(*dir); !ready) {
        notes.push_back(fmt::format("history off: {}", ready.error().message));
    } else {
        // The check's answer is ready: the store may take what is left of -t, but no more
        // than a tenth of it, so a busy store never makes the check itself late.
        const auto now = std::chrono::steady_clock::now();
        const auto until = std::min(deadline.End(), now + deadline.Budget() / 10);
        history::StoreOptions store;
        store.dir = *dir;
        outcome = history::RecordAndRead(
            store, {fmt::format("{}:{}", host, port), current.metadata_id}, current, until);
    }
    auto trends = health::BuildRecoveryTrends(outcome.previous, current, rows, TrendConfigOf(o));
    for (auto& n : outcome.notes) trends.notes.push_back(std::move(n));
    for (auto& n : notes) trends.notes.push_back(std::move(n));
    return trends;
}

}  // namespace mfsmon::cli
