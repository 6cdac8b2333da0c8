// What the rules of one check put together before it becomes a Report: findings (with
// stable codes, see codes.h), perfdata and extra long-output lines. Rules append; the
// assembler (assemble.h) mutes, ranks and summarises.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/result.h"
#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

struct Evaluation {
    std::vector<Finding> findings;
    std::vector<Perfdatum> perfdata;
    std::vector<std::string> details;  // long output that is no finding (totals, per server)
    std::string ok_summary;            // the first line when nothing is wrong

    void Add(std::string code, State severity, std::string text, std::uint64_t count = 1,
             std::string subject = {}) {
        Finding f;
        f.code = std::move(code);
        f.severity = severity;
        f.text = std::move(text);
        f.count = count;
        f.subject = std::move(subject);
        findings.push_back(std::move(f));
    }
};

// A part of the snapshot a rule needs: its value, or nullptr after adding the
// `mfsmon.unreadable` finding (UNKNOWN: never OK about what was not read). A part that was
// not asked for is a bug in the check's wiring, reported the same way.
template <typename T>
const T* NeedPart(const model::Part<T>& part, std::string_view what, Evaluation& ev) {
    if (!part) {
        ev.Add("mfsmon.unreadable", State::kUnknown,
               fmt::format("internal: {} was not collected", what));
        return nullptr;
    }
    if (!*part) {
        ev.Add("mfsmon.unreadable", State::kUnknown,
               fmt::format("{} could not be read: {}", what, part->error().message));
        return nullptr;
    }
    return &part->value();
}

inline Perfdatum Metric(std::string label, double value, std::string uom = {},
                        std::optional<double> min = 0.0, std::optional<double> max = {}) {
    Perfdatum p;
    p.label = std::move(label);
    p.value = value;
    p.uom = std::move(uom);
    p.min = min;
    p.max = max;
    return p;
}

}  // namespace mfsmon::health
