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
    std::optional<int> row;  // matrix row (goal / redundancy level + 1) it is about
};

struct Perfdatum {
    std::string label;
    double value = 0;
    std::string uom;
    std::optional<Range> warning;
    std::optional<Range> critical;
    std::optional<double> min;
    std::optional<double> max;
};

struct Report {
    State state = State::kUnknown;
    std::string summary;
    std::vector<Finding> findings;
    std::vector<std::string> details;  // long output, one line each
    std::vector<Perfdatum> perfdata;
};

}  // namespace mfsmon::health
