// Threshold ranges in the Monitoring Plugins syntax:
//   "10"     alert if v < 0 or v > 10
//   "10:"    alert if v < 10
//   "~:10"   alert if v > 10
//   "10:20"  alert if v < 10 or v > 20
//   "@10:20" alert if 10 <= v <= 20
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "health/state.h"

namespace mfsmon::health {

class Range {
  public:
    static Result<Range> Parse(std::string_view text);

    // True when `value` is in the alerting part of the range.
    bool Alerts(double value) const;
    // The text as given, for perfdata's warn/crit fields.
    const std::string& text() const { return text_; }

  private:
    std::string text_;
    bool has_start_ = true;  // false: -infinity ("~")
    double start_ = 0;
    bool has_end_ = true;  // false: +infinity ("10:")
    double end_ = 0;
    bool inside_ = false;  // "@": alert inside instead of outside
};

// A warning and a critical range; either may be absent.
struct Thresholds {
    std::optional<Range> warning;
    std::optional<Range> critical;

    State Evaluate(double value) const;
};

}  // namespace mfsmon::health
