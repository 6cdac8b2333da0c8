#include "health/trend_rule.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/human_units.h"
#include "health/evaluation.h"
#include "health/replicas_rule.h"
#include "health/utc_time.h"

namespace mfsmon::health {

namespace {

using trend::Phase;

std::string Eta(double seconds) {
    return HumanDuration(static_cast<std::int64_t>(std::llround(seconds)));
}

std::string Chunks(double n) {
    const auto count = static_cast<std::uint64_t>(std::llround(std::max(0.0, n)));
    return fmt::format("{} {}", count, count == 1 ? "chunk" : "chunks");
}

std::string At(double unix_seconds) {
    return UtcTime(static_cast<std::uint32_t>(std::max(0.0, unix_seconds)), TimePrecision::kSecond);
}

bool Row(const Finding& f) {
    return f.row && (f.code == "replicas.missing" || f.code == "replicas.endangered" ||
                     f.code == "replicas.undergoal");
}

// One long-output line for a trend: what, how fast, how far, when done.
std::string TrendLine(std::string_view what, const trend::Trend& t, std::size_t history,
                      std::string clause = {}) {
    std::string line = fmt::format("{}: {} now", what, Chunks(t.now));
    if (clause.empty()) clause = TrendClause(t, history);
    if (!clause.empty()) line += ", " + clause;
    if (t.progress && t.peak > 0 && t.phase != Phase::kDone) {
        line +=
            fmt::format(", {:.0f}% done since the peak of {}", *t.progress * 100.0, Chunks(t.peak));
        if (t.event_start) line += fmt::format(" (event began {})", At(*t.event_start));
    }
    if (t.phase == Phase::kDone && t.event_start && t.event_end) {
        line = fmt::format("{}: recovered, {} back at goal in {} (done {})", what, Chunks(t.peak),
                           Eta(*t.event_end - *t.event_start), At(*t.event_end));
    }
    return line;
}

Perfdatum Rate(std::string label, double per_second) {
    Perfdatum p = Metric(std::move(label), per_second, "", std::nullopt);
    return p;
}

Perfdatum Seconds(std::string label, double seconds) {
    return Metric(std::move(label), std::round(seconds), "s");
}

void AddTrendPerfdata(std::string_view prefix, const trend::Trend& t, bool droppable,
                      std::vector<Perfdatum>& perfdata) {
    if (t.rate) {
        perfdata.push_back(Rate(fmt::format("{}_rate", prefix), *t.rate));
        perfdata.back().droppable = droppable;
    }
    if (t.eta_s) {
        perfdata.push_back(Seconds(fmt::format("{}_eta", prefix), *t.eta_s));
        perfdata.back().droppable = droppable;
    }
}

// The interval between checks against the chunk loop: both shorter and longer are worth a
// word, because the loop paces everything the trend measures.
std::string IntervalAdvice(const RecoveryTrends& t) {
    if (!t.loop || !t.median_interval_s) return {};
    const double loop = t.loop->Duration(), every = *t.median_interval_s;
    if (loop <= 0 || every <= 0) return {};
    if (every > loop) {
        return fmt::format(
            "advice: checks run every {} but one chunk-loop pass takes {}: a tail and READY can "
            "come and go between two checks; check at least once per pass",
            Eta(every), Eta(loop));
    }
    if (every * 20 < loop) {
        return fmt::format(
            "advice: checks run every {} but one chunk-loop pass takes {}: counts barely move "
            "between two checks (the rate is measured over several checks, so this is only "
            "load)",
            Eta(every), Eta(loop));
    }
    return {};
}

}  // namespace

std::string RateText(double per_second) {
    const double r = std::fabs(per_second);
    if (r >= 1.0) return fmt::format("{:.3g}/s", r);
    if (r * 60.0 >= 1.0) return fmt::format("{:.3g}/min", r * 60.0);
    return fmt::format("{:.3g}/h", r * 3600.0);
}

std::string TrendClause(const trend::Trend& t, std::size_t history_samples) {
    switch (t.phase) {
        case Phase::kNoHistory:
            return history_samples == 0 ? "no history yet" : "measuring the rate";
        case Phase::kHealthy:
        case Phase::kDone:
            return {};
        case Phase::kGrowing:
            return t.rate ? fmt::format("growing {}", RateText(*t.rate)) : "growing";
        case Phase::kRecovering: {
            std::string s = t.rate ? fmt::format("recovering {}", RateText(*t.rate)) : "recovering";
            if (t.eta_s) s += fmt::format(", ETA {}", Eta(*t.eta_s));
            return s;
        }
        case Phase::kTail: {
            std::string s = "tail: waiting for the next chunk-loop pass";
            if (t.eta_s) s += fmt::format(", ETA {}", Eta(*t.eta_s));
            return s;
        }
        case Phase::kStalled:
            return t.stalled_for_s ? fmt::format("no progress for {}", Eta(*t.stalled_for_s))
                                   : "no progress";
    }
    return {};
}

std::string EvacuationClause(const RecoveryTrends& trends) {
    const trend::Trend& m = trends.marked;
    std::string s;
    switch (m.phase) {
        case Phase::kRecovering:
            s = m.rate ? fmt::format("evacuating {}", RateText(*m.rate)) : "evacuating";
            if (m.eta_s) s += fmt::format(", copies done in about {}", Eta(*m.eta_s));
            break;
        case Phase::kTail:
            s = "last copies wait for the next chunk-loop pass";
            break;
        default:
            s = TrendClause(m, trends.history_samples);
    }
    if (trends.eta_ready_s && m.phase != Phase::kStalled) {
        s += s.empty() ? "" : ", ";
        s += *trends.eta_ready_s < 1 ? "READY due now"
                                     : fmt::format("READY within {}", Eta(*trends.eta_ready_s));
    }
    return s;
}

void AddRecoveryTrends(const RecoveryTrends& trends, const StallCauses& causes,
                       std::vector<Finding>& findings, std::vector<std::string>& details,
                       std::vector<Perfdatum>& perfdata, TrendScope scope) {
    if (!trends.enabled) return;
    const std::size_t history = trends.history_samples;
    const bool replicas = scope == TrendScope::kReplicas;
    const char* marked_code = replicas ? "replicas.marked_for_removal" : "disks.marked_for_removal";

    // The clause goes to one finding per row: the one with the most chunks.
    std::map<int, Finding*> largest;
    for (auto& f : findings) {
        if (!Row(f)) continue;
        Finding*& slot = largest[*f.row];
        if (slot == nullptr || f.count > slot->count) slot = &f;
    }
    if (!replicas) largest.clear();
    for (auto& [row, f] : largest) {
        const auto it = trends.by_row.find(row);
        if (it == trends.by_row.end()) continue;
        const std::string clause = TrendClause(it->second, history);
        if (!clause.empty()) f->text += ", " + clause;
    }
    for (auto& f : findings) {
        if (f.code != marked_code || f.count == 0) continue;
        const std::string clause = EvacuationClause(trends);
        if (!clause.empty()) f.text += ", " + clause;
    }

    const std::string cause = causes.causes.empty()
                                  ? std::string()
                                  : fmt::format(" ({})", fmt::join(causes.causes, "; "));
    if (replicas && trends.total.phase == Phase::kStalled) {
        findings.push_back(MakeFinding(
            "replicas.recovery_stalled", State::kWarning,
            fmt::format("{} below goal and no progress for {}{}", Chunks(trends.total.now),
                        Eta(trends.total.stalled_for_s.value_or(0)), cause),
            static_cast<std::uint64_t>(std::llround(trends.total.now))));
    }
    if (trends.marked.phase == Phase::kStalled) {
        findings.push_back(MakeFinding(
            "replicas.evacuation_stalled", State::kWarning,
            fmt::format("{} still depend on disks marked for removal and no progress for {}{}",
                        Chunks(trends.marked.now), Eta(trends.marked.stalled_for_s.value_or(0)),
                        cause),
            static_cast<std::uint64_t>(std::llround(trends.marked.now))));
    }

    // Long output.
    if (history == 0) {
        details.push_back("trend: no history yet (the next runs measure rate and ETA)");
    } else if (replicas && trends.total.phase != Phase::kHealthy) {
        details.push_back(TrendLine("trend: below goal", trends.total, history));
        for (const auto& [row, t] : trends.by_row) {
            if (t.phase == Phase::kHealthy) continue;
            details.push_back(
                TrendLine(fmt::format("trend: {}", RowLabel(trends.rows, row)), t, history));
        }
    }
    if (history > 0 && (trends.marked.phase != Phase::kHealthy || trends.eta_ready_s)) {
        details.push_back(TrendLine("evacuation: chunks depending on marked disks", trends.marked,
                                    history, EvacuationClause(trends)));
    }
    if (trends.loop) {
        std::string line = fmt::format("chunk loop: last pass took {} (ended {})",
                                       Eta(trends.loop->Duration()), At(trends.loop->end));
        if (trends.median_interval_s) {
            line += fmt::format("; checks every {}", Eta(*trends.median_interval_s));
        }
        details.push_back(std::move(line));
    }
    if (std::string advice = IntervalAdvice(trends); !advice.empty()) {
        details.push_back(std::move(advice));
    }
    for (const auto& note : trends.notes) details.push_back(note);

    // Perfdata: totals, then per row (droppable).
    if (replicas) AddTrendPerfdata("recovery", trends.total, false, perfdata);
    if (trends.marked.rate) perfdata.push_back(Rate("evacuation_rate", *trends.marked.rate));
    if (trends.eta_ready_s && trends.marked.now > 0) {
        perfdata.push_back(Seconds("evacuation_eta", *trends.eta_ready_s));
    }
    if (!replicas) return;
    for (const auto& [row, t] : trends.by_row) {
        AddTrendPerfdata(RowKey(trends.rows, row), t, true, perfdata);
    }
}

}  // namespace mfsmon::health
