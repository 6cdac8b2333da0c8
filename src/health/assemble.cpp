#include "health/assemble.h"

#include <algorithm>

#include <fmt/format.h>

#include "health/codes.h"

namespace mfsmon::health {

namespace {

constexpr std::size_t kSummaryFindings = 3;

// Registry order breaks ties, so the summary reads the same way every run.
std::size_t RegistryIndex(std::string_view code) {
    const auto codes = Codes();
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (codes[i].code == code) return i;
    }
    return codes.size();
}

}  // namespace

bool IsMuted(std::string_view code, const std::vector<std::string>& mutes) {
    for (const auto& m : mutes) {
        if (code == m) return true;
        if (code.size() > m.size() && code.substr(0, m.size()) == m && code[m.size()] == '.') {
            return true;
        }
    }
    return false;
}

std::string UnknownMute(const std::vector<std::string>& mutes) {
    for (const auto& m : mutes) {
        bool known = false;
        for (const auto& c : Codes()) {
            if (IsMuted(c.code, {m})) known = true;
        }
        if (!known) return m;
    }
    return {};
}

Report Assemble(Evaluation ev, const std::vector<std::string>& mutes, std::string ok_summary) {
    Report report;
    report.state = State::kOk;
    for (auto& f : ev.findings) {
        f.muted = IsMuted(f.code, mutes);
        if (!f.muted) report.state = Worst(report.state, f.severity);
    }
    std::stable_sort(ev.findings.begin(), ev.findings.end(),
                     [](const Finding& a, const Finding& b) {
                         if (a.muted != b.muted) return !a.muted;
                         if (Rank(a.severity) != Rank(b.severity)) {
                             return Rank(a.severity) > Rank(b.severity);
                         }
                         return RegistryIndex(a.code) < RegistryIndex(b.code);
                     });

    std::vector<const Finding*> alerting;
    for (const auto& f : ev.findings) {
        if (!f.muted && f.severity != State::kOk) alerting.push_back(&f);
    }
    std::string summary;
    for (std::size_t i = 0; i < alerting.size() && i < kSummaryFindings; ++i) {
        if (!summary.empty()) summary += ", ";
        summary += alerting[i]->text;
    }
    if (alerting.size() > kSummaryFindings) {
        summary += fmt::format(" and {} more", alerting.size() - kSummaryFindings);
    }
    report.summary = summary.empty() ? std::move(ok_summary) : std::move(summary);
    std::size_t muted = 0;
    for (const auto& f : ev.findings) muted += f.muted ? 1 : 0;
    if (muted > 0) report.summary += fmt::format(" ({} muted)", muted);

    for (const auto& f : ev.findings) {
        report.details.push_back(fmt::format("[{}{}] {}: {}", StateName(f.severity),
                                             f.muted ? ", muted" : "", f.code, f.text));
        for (const auto& line : f.lines) report.details.push_back("    " + line);
    }
    for (auto& d : ev.details) report.details.push_back(std::move(d));
    report.findings = std::move(ev.findings);
    report.perfdata = std::move(ev.perfdata);
    return report;
}

void Append(Evaluation& into, Evaluation from, std::string_view prefix) {
    for (auto& f : from.findings) {
        // A part two areas need (the chunkserver list: chunkservers and disks) is reported
        // once when it could not be read, not once per area.
        const bool repeated =
            std::any_of(into.findings.begin(), into.findings.end(), [&f](const Finding& g) {
                return g.code == f.code && g.text == f.text && g.subject == f.subject;
            });
        if (!repeated) into.findings.push_back(std::move(f));
    }
    for (auto& d : from.details) into.details.push_back(std::move(d));
    for (auto& p : from.perfdata) {
        p.label = fmt::format("{}_{}", prefix, p.label);
        into.perfdata.push_back(std::move(p));
    }
}

}  // namespace mfsmon::health
