#include "health/usage_threshold.h"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "common/printable.h"

namespace mfsmon::health {

namespace {

struct Unit {
    std::string_view suffix;
    double bytes;  // 0 = percent
};

constexpr double kKi = 1024.0;
constexpr double kK = 1000.0;

// Longest suffixes first, so "GiB" is not read as "B".
constexpr std::array<Unit, 17> kUnits = {{
    {"KiB", kKi},
    {"MiB", kKi* kKi},
    {"GiB", kKi* kKi* kKi},
    {"TiB", kKi* kKi* kKi* kKi},
    {"PiB", kKi* kKi* kKi* kKi* kKi},
    {"KB", kK},
    {"MB", kK* kK},
    {"GB", kK* kK* kK},
    {"TB", kK* kK* kK* kK},
    {"PB", kK* kK* kK* kK* kK},
    {"K", kKi},
    {"M", kKi* kKi},
    {"G", kKi* kKi* kKi},
    {"T", kKi* kKi* kKi* kKi},
    {"P", kKi* kKi* kKi* kKi* kKi},
    {"B", 1},
    {"%", 0},
}};

}  // namespace

Result<UsageRange> UsageRange::Parse(std::string_view text) {
    UsageRange u;
    u.text_ = std::string(text);
    std::string_view number = text;
    for (const auto& unit : kUnits) {
        if (number.size() > unit.suffix.size() &&
            number.substr(number.size() - unit.suffix.size()) == unit.suffix) {
            number.remove_suffix(unit.suffix.size());
            u.divisor_ = unit.bytes;
            break;
        }
    }
    auto range = Range::Parse(number);
    if (!range) {
        return MakeError(ErrorKind::kInvalidArgument,
                         fmt::format("invalid usage threshold '{}': expected a range with an "
                                     "optional unit (90%, 500GiB, 80:95%)",
                                     ControlCharsReplaced(text)));
    }
    u.range_ = std::move(*range);
    return u;
}

bool UsageRange::Alerts(double amount, double total) const {
    if (percent()) {
        // A cluster with no space at all: 100 % of nothing is "full", which is what it is.
        const double pct = total > 0 ? amount * 100.0 / total : 100.0;
        return range_.Alerts(pct);
    }
    return range_.Alerts(amount / divisor_);
}

State UsageThresholds::Evaluate(double amount, double total) const {
    if (critical && critical->Alerts(amount, total)) return State::kCritical;
    if (warning && warning->Alerts(amount, total)) return State::kWarning;
    return State::kOk;
}

}  // namespace mfsmon::health
