#include "render/watch_screen.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "common/human_units.h"
#include "common/printable.h"
#include "health/replicas_rule.h"
#include "health/trend_rule.h"
#include "health/utc_time.h"

namespace mfsmon::render {

namespace {

using trend::Phase;

std::string Fit(const std::string& line, int width) {
    // Same rule as status: cut, never wrap; width 0 = no terminal, no cut.
    if (width <= 0) return line;
    std::size_t n = 0, i = 0;
    for (; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
            if (n == static_cast<std::size_t>(width)) break;
            ++n;
        }
    }
    return line.substr(0, i);
}

std::string Eta(const std::optional<double>& s) {
    if (!s) return "-";
    return HumanDuration(static_cast<std::int64_t>(std::llround(*s)));
}

std::string Rate(const trend::Trend& t) {
    if (!t.rate) return "-";
    // fmt, not operator+: GCC 12 -O3 warns (-Wrestrict) on the inlined concatenation.
    return fmt::format("{}{}", *t.rate < 0 ? "+" : "-", health::RateText(*t.rate));
}

std::string PhaseWord(const trend::Trend& t) {
    switch (t.phase) {
        case Phase::kNoHistory:
            return "measuring";
        default:
            return std::string(trend::PhaseName(t.phase));
    }
}

std::string MfrText(std::uint8_t mfr) {
    switch (mfr) {
        case 0:
            return "VALIDATING";
        case 1:
            return "NOT READY (copies being made)";
        case 2:
            return "READY";
    }
    return "unknown";
}

void TrendRow(std::vector<std::string>& out, const std::string& label, const trend::Trend& t,
              const TextStyle& style) {
    const int bar = 14;
    out.push_back(fmt::format(" {:<20} {:>10} {} {:<10} {:>10} {:>12}  {} {:3.0f}%", label,
                              static_cast<std::uint64_t>(std::llround(t.now)),
                              TrendArrow(t, style.unicode), PhaseWord(t), Rate(t), Eta(t.eta_s),
                              ProgressBar(t.progress.value_or(0), bar, style.unicode),
                              t.progress.value_or(0) * 100));
}

}  // namespace

std::string RenderWatchScreen(const model::ClusterSnapshot& snap, const health::Report& report,
                              const health::RecoveryTrends& trends, const TextStyle& style,
                              double interval_s) {
    std::vector<std::string> lines;
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    lines.push_back(fmt::format("mfsmon watch  {}:{}  MooseFS {}  every {}  {}  (Ctrl-C quits)",
                                ControlCharsReplaced(snap.master_host), snap.master_port,
                                snap.info.version.ToString(),
                                HumanDuration(std::llround(interval_s)),
                                health::UtcTime(now, health::TimePrecision::kSecond)));
    std::string health_line =
        fmt::format("health: {}{}{}  {}", StateColor(report.state, style.color),
                    health::StateName(report.state), ResetColor(style.color),
                    ControlCharsReplaced(report.summary));
    lines.push_back(health_line);
    lines.push_back("");
    lines.push_back(fmt::format(" {:<20} {:>10}   {:<10} {:>10} {:>12}  {}", "below goal", "chunks",
                                "phase", "rate", "ETA", "progress"));
    for (const auto& [row, t] : trends.by_row) {
        TrendRow(lines, health::RowLabel(trends.rows, row), t, style);
    }
    TrendRow(lines, "total", trends.total, style);

    // Evacuation: every marked disk, its server's readiness, the dependents' trend.
    std::vector<std::string> marked;
    if (snap.disks && *snap.disks) {
        for (const auto& sd : snap.disks->value()) {
            if (!sd.disks) continue;
            std::uint8_t mfr = 0xFF;
            if (snap.chunkservers && *snap.chunkservers) {
                for (const auto& cs : snap.chunkservers->value()) {
                    if (cs.csid == sd.csid) mfr = cs.mfr_status;
                }
            }
            for (const auto& d : sd.disks.value()) {
                if (!d.marked_for_removal()) continue;
                marked.push_back(fmt::format("  {} {}  {} chunks on it  {}",
                                             ControlCharsReplaced(sd.server),
                                             ControlCharsReplaced(d.path), d.chunks, MfrText(mfr)));
            }
        }
    }
    if (!marked.empty() || trends.marked.now > 0) {
        lines.push_back("");
        lines.push_back(" disks marked for removal:");
        for (auto& m : marked) lines.push_back(std::move(m));
        TrendRow(lines, "still depending", trends.marked, style);
        if (trends.eta_ready_s && trends.marked.phase != Phase::kStalled) {
            lines.push_back(fmt::format("  READY within {}", Eta(trends.eta_ready_s)));
        }
    }
    lines.push_back("");
    std::string foot = fmt::format("samples in memory: {}", trends.history_samples + 1);
    if (trends.loop) {
        foot += fmt::format("; chunk loop: one pass takes {}", Eta(trends.loop->Duration()));
    }
    lines.push_back(foot);

    std::string out;
    for (const auto& l : lines) out += Fit(l, style.width) + "\n";
    return out;
}

std::string RenderWatchError(const std::string& host, std::uint16_t port, const Error& error,
                             const TextStyle& style) {
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    std::string out = Fit(fmt::format("mfsmon watch  {}:{}  {}", ControlCharsReplaced(host), port,
                                      health::UtcTime(now, health::TimePrecision::kSecond)),
                          style.width) +
                      "\n";
    out += Fit(fmt::format("{}UNKNOWN{}  {}", StateColor(health::State::kUnknown, style.color),
                           ResetColor(style.color), ControlCharsReplaced(error.message)),
               style.width) +
           "\n";
    return out;
}

std::string CutToRows(const std::string& text, int rows) {
    if (rows <= 0) return text;
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.emplace_back(text, start, end - start);
        start = end + 1;
    }
    const auto keep = static_cast<std::size_t>(std::max(rows - 1, 1));
    if (lines.size() <= keep) return text;
    const std::size_t cut = lines.size() - (keep - 1);
    lines.resize(keep - 1);
    lines.push_back(fmt::format("... {} more lines (enlarge the window)", cut));
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace mfsmon::render
