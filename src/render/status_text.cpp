#include "render/status_text.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "common/human_units.h"
#include "common/printable.h"
#include "health/replicas_rule.h"
#include "health/trend_rule.h"
#include "model/ipv4.h"
#include "model/trend_sample_builder.h"

namespace mfsmon::render {

namespace {

using trend::Phase;

// Lines are cut at the terminal's width (counted in code points, which is what a terminal
// shows for the characters we print), so a narrow window never wraps into a mess.
std::size_t CodePoints(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::string Fit(std::string line, int width) {
    if (width <= 0 || CodePoints(line) <= static_cast<std::size_t>(width)) return line;
    std::size_t n = 0, i = 0;
    for (; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) {
            if (n == static_cast<std::size_t>(width - 1)) break;
            ++n;
        }
    }
    line.resize(i);
    return line + "~";
}

class Out {
  public:
    explicit Out(const TextStyle& style) : style_(style) {}
    void Line(std::string text) { text_ += Fit(std::move(text), style_.width) + "\n"; }
    // A line whose visible part is `plain`, shown with `color` around `colored_part`.
    void Colored(const std::string& before, const std::string& colored_part,
                 const std::string& color, const std::string& after = {}) {
        std::string visible = Fit(before + colored_part + after, style_.width);
        if (!style_.color || color.empty() ||
            visible.size() < before.size() + colored_part.size()) {
            text_ += visible + "\n";
            return;
        }
        text_ += before + color + colored_part + ResetColor(true) +
                 visible.substr(before.size() + colored_part.size()) + "\n";
    }
    std::string Take() { return std::move(text_); }

  private:
    const TextStyle& style_;
    std::string text_;
};

const char* HealthWord(health::State s) {
    switch (s) {
        case health::State::kOk:
            return "HEALTH_OK";
        case health::State::kWarning:
            return "HEALTH_WARN";
        case health::State::kCritical:
            return "HEALTH_ERR";
        case health::State::kUnknown:
            return "HEALTH_UNKNOWN";
    }
    return "HEALTH_UNKNOWN";
}

std::string Eta(double s) {
    return HumanDuration(static_cast<std::int64_t>(std::llround(s)));
}

void Services(const model::ClusterSnapshot& snap, Out& out) {
    const auto& i = snap.info;
    std::string master = fmt::format("    master:       {}, {} RAM", i.version.ToString(),
                                     HumanBytes(static_cast<double>(i.memory_usage)));
    if (i.last_store_time != 0) {
        master += fmt::format(", metadata saved {} ago",
                              HumanDuration(snap.collected_at - i.last_store_time));
    }
    out.Line(master);
    if (snap.metaloggers && *snap.metaloggers) {
        out.Line(fmt::format("    metaloggers:  {} connected", snap.metaloggers->value().size()));
    }
    if (snap.chunkservers && *snap.chunkservers) {
        unsigned up = 0, total = 0, maint = 0;
        for (const auto& cs : snap.chunkservers->value()) {
            ++total;
            up += cs.connected();
            maint += cs.maintenance();
        }
        std::string line = fmt::format("    chunkservers: {} up / {} total", up, total);
        if (maint > 0) line += fmt::format(", {} in maintenance", maint);
        out.Line(line);
    }
    if (snap.disks && *snap.disks) {
        unsigned disks = 0, marked = 0, damaged = 0, silent = 0;
        for (const auto& sd : snap.disks->value()) {
            if (!sd.disks) {
                ++silent;
                continue;
            }
            for (const auto& d : sd.disks.value()) {
                ++disks;
                marked += d.marked_for_removal();
                damaged += d.damaged();
            }
        }
        std::string line = fmt::format("    disks:        {}", disks);
        if (marked > 0) line += fmt::format(", {} marked for removal", marked);
        if (damaged > 0) line += fmt::format(", {} damaged", damaged);
        if (silent > 0) line += fmt::format(" ({} chunkservers did not answer)", silent);
        out.Line(line);
    }
}

void Data(const model::ClusterSnapshot& snap, Out& out) {
    const auto& i = snap.info;
    const double total = static_cast<double>(i.total_space);
    const double used = static_cast<double>(i.total_space - std::min(i.avail_space, i.total_space));
    out.Line(fmt::format("    space:   {} used of {} ({}), {} available", HumanBytes(used),
                         HumanBytes(total), Percent(used, total),
                         HumanBytes(static_cast<double>(i.avail_space))));
    out.Line(fmt::format("    objects: {} files, {} directories, {} chunks", i.file_nodes,
                         i.dir_nodes, i.chunks));
    if (!snap.matrices || !*snap.matrices) return;
    const auto& m = snap.matrices->value();
    for (int row = 1; row < model::kMatrixSize; ++row) {
        const auto c = model::SummarizeRow(m.combined.all, row);
        if (c.Total() == 0) continue;
        std::string line =
            fmt::format("    {}: {} chunks", health::RowLabel(m.rows, row), c.Total());
        if (c.Deficient() > 0) {
            line += fmt::format(" ({} missing, {} endangered, {} undergoal)",
                                c[model::ChunkClass::kMissing], c[model::ChunkClass::kEndangered],
                                c[model::ChunkClass::kUndergoal]);
        }
        out.Line(line);
    }
    if (!snap.class_matrices || !*snap.class_matrices || !snap.storage_classes ||
        !*snap.storage_classes)
        return;
    for (const auto& cm : snap.class_matrices->value()) {
        if (!cm.matrices) continue;
        std::string name = fmt::format("#{}", cm.class_id);
        for (const auto& c : snap.storage_classes->value().classes) {
            if (c.id == cm.class_id) name = ControlCharsReplaced(c.name);
        }
        const auto all = model::Summarize(cm.matrices->combined.all);
        std::string line = fmt::format("    class {}: {} chunks", name, all.Total());
        if (all.Deficient() > 0) line += fmt::format(", {} below goal", all.Deficient());
        out.Line(line);
    }
}

}  // namespace

std::string StateColor(health::State s, bool color) {
    if (!color) return {};
    switch (s) {
        case health::State::kOk:
            return "\x1b[32m";
        case health::State::kWarning:
            return "\x1b[33m";
        case health::State::kCritical:
            return "\x1b[31m";
        case health::State::kUnknown:
            return "\x1b[35m";
    }
    return {};
}

std::string ResetColor(bool color) {
    return color ? "\x1b[0m" : "";
}

std::string ProgressBar(double fraction, int width, bool unicode) {
    if (!(fraction >= 0)) fraction = 0;  // also NaN
    fraction = std::min(fraction, 1.0);
    const int cells = std::max(width - 2, 1);
    const int filled = static_cast<int>(std::floor(fraction * cells));
    std::string bar = "[";
    for (int i = 0; i < cells; ++i) {
        if (unicode) {
            bar += i < filled ? "\u2588" : "\u00b7";
        } else {
            bar += i < filled ? '#' : '.';
        }
    }
    return bar + "]";
}

std::string TrendArrow(const trend::Trend& t, bool unicode) {
    switch (t.phase) {
        case Phase::kRecovering:
            return unicode ? "\u2198" : "v";
        case Phase::kGrowing:
            return unicode ? "\u2197" : "^";
        case Phase::kTail:
        case Phase::kStalled:
            return unicode ? "\u2192" : "-";
        case Phase::kDone:
            return unicode ? "\u2713" : "=";
        case Phase::kHealthy:
        case Phase::kNoHistory:
            return " ";
    }
    return " ";
}

std::string RenderProgress(const health::RecoveryTrends& trends, const TextStyle& style) {
    Out out(style);
    if (!trends.enabled) {
        out.Line("    history off (--no-history): no rate or ETA");
        return out.Take();
    }
    const int bar = std::clamp(style.width / 4, 10, 30);
    auto line = [&](const std::string& what, const trend::Trend& t, const std::string& tail) {
        const double progress = t.progress.value_or(0);
        std::string text = fmt::format("    {:<11}{} {:3.0f}%  {} left {}", what,
                                       ProgressBar(progress, bar, style.unicode), progress * 100,
                                       static_cast<std::uint64_t>(std::llround(t.now)),
                                       TrendArrow(t, style.unicode));
        if (!tail.empty()) text += " " + tail;
        out.Line(text);
    };
    bool any = false;
    const auto& total = trends.total;
    if (total.now > 0) {
        line("recovery", total, health::TrendClause(total, trends.history_samples));
        any = true;
    } else if (total.phase == Phase::kDone && total.event_start && total.event_end) {
        out.Line(fmt::format("    recovery   done: {} chunks back at goal in {}",
                             static_cast<std::uint64_t>(std::llround(total.peak)),
                             Eta(*total.event_end - *total.event_start)));
        any = true;
    }
    if (trends.marked.now > 0) {
        line("evacuation", trends.marked, health::EvacuationClause(trends));
        any = true;
    }
    if (!any) out.Line("    no recovery or evacuation under way");
    return out.Take();
}

std::string RenderStatusText(const model::ClusterSnapshot& snap, const health::Report& report,
                             const health::RecoveryTrends& trends, const TextStyle& style) {
    Out out(style);
    out.Line("  cluster:");
    std::string id;
    if (const auto meta = snap.MetadataId(); meta != 0) id = fmt::format(", id {:016x}", meta);
    out.Line(fmt::format("    master:  {}:{}, MooseFS {}{}", ControlCharsReplaced(snap.master_host),
                         snap.master_port, snap.info.version.ToString(), id));
    out.Colored("    health:  ", HealthWord(report.state), StateColor(report.state, style.color),
                fmt::format(" ({})", health::StateName(report.state)));
    for (const auto& f : report.findings) {
        if (f.severity == health::State::kOk && !f.muted) continue;
        out.Colored("             ", std::string(health::StateName(f.severity)),
                    StateColor(f.severity, style.color),
                    fmt::format(" {}: {}{}", f.code, ControlCharsReplaced(f.text),
                                f.muted ? " (muted)" : ""));
    }
    out.Line("");
    out.Line("  services:");
    Services(snap, out);
    out.Line("");
    out.Line("  data:");
    Data(snap, out);
    out.Line("");
    out.Line("  progress:");
    std::string text = out.Take();
    text += RenderProgress(trends, style);
    Out tail(style);
    if (trends.loop) {
        tail.Line(fmt::format("    chunk loop: one pass takes {}", Eta(trends.loop->Duration())));
    }
    for (const auto& note : trends.notes) tail.Line("    " + ControlCharsReplaced(note));
    return text + tail.Take();
}

}  // namespace mfsmon::render
