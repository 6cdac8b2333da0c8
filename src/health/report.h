// What a rule concludes: findings (with stable codes), an overall state, a one-line
// summary, long-output lines and perfdata. Renderers format this; they decide nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "health/state.h"
#include "health/threshold_range.h"

namespace mfsmon::health {

struct Finding {
    std::string code;  // stable identifier, e.g. "replicas.missing"
    State severity = State::kOk;
    std::string text;  // "15 chunks of goal 1 lost"
    std::uint64_t count = 0;
    std::optional<int> row;          // matrix row (goal / redundancy level + 1) it is about
    std::string subject;             // what it is about: "198.18.0.10:9422", a disk, a class
    std::vector<std::string> lines;  // more detail, one line each (e.g. missing file paths)
    bool muted = false;              // --mute: shown, never counted in the state
};

inline Finding MakeFinding(std::string code, State severity, std::string text, std::uint64_t count,
                           std::optional<int> row = std::nullopt) {
    Finding f;
    f.code = std::move(code);
    f.severity = severity;
    f.text = std::move(text);
    f.count = count;
    f.row = row;
    return f;
}

struct Perfdatum {
    std::string label;
    double value = 0;
    std::string uom;
    std::optional<Range> warning;
    std::optional<Range> critical;
    std::optional<double> min;
    std::optional<double> max;
    // Per-server detail the renderer may drop, last first, to keep the whole plugin output
    // within Nagios 4's 8 KiB: totals are never droppable.
    bool droppable = false;
};

struct Report {
    State state = State::kUnknown;
    std::string summary;
    std::vector<Finding> findings;
    std::vector<std::string> details;  // long output, one line each
    std::vector<Perfdatum> perfdata;
};

}  // namespace mfsmon::health
