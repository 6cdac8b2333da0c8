// A usage threshold: a Monitoring Plugins range with one unit for the whole text, so that an
// admin can say "90%" or "90" (percent of the total, the default) or "500GiB" / "~:2TB"
// (bytes). The range is evaluated on the value expressed in that unit: "@0:100GiB" alerts
// while 0..100 GiB are used (or free, for the free-space options).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/state.h"
#include "health/threshold_range.h"

namespace mfsmon::health {

class UsageRange {
  public:
    // "90", "90%", "80:95%", "500GiB", "1.5T", "@0:10G". Units: % (default), B, K/KB/KiB,
    // M/MB/MiB, G/GB/GiB, T/TB/TiB, P/PB/PiB; K/M/G/T/P and *iB are powers of 1024, *B of 1000.
    static Result<UsageRange> Parse(std::string_view text);

    // True when `amount` bytes of `total` are in the alerting part of the range.
    bool Alerts(double amount, double total) const;
    bool percent() const { return divisor_ == 0; }
    const std::string& text() const { return text_; }
    // The range without its unit, for the warn/crit fields of perfdata in that unit.
    const Range& range() const { return range_; }

  private:
    std::string text_;
    Range range_;
    double divisor_ = 0;  // 0: percent; else bytes per unit
};

struct UsageThresholds {
    std::optional<UsageRange> warning;
    std::optional<UsageRange> critical;

    State Evaluate(double amount, double total) const;
};

}  // namespace mfsmon::health
