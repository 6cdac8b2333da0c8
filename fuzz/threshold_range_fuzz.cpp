// Range::Parse on arbitrary text (what a user can pass to -w/-c). A parsed range keeps its
// text for perfdata and can rate any value; a refused one says why in one line.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "health/state.h"
#include "health/threshold_range.h"

namespace {

using mfsmon::ErrorKind;
using mfsmon::health::Range;
using mfsmon::health::State;
using mfsmon::health::Thresholds;

constexpr double kValues[] = {
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    9.999,
    10.0,
    10.000001,
    20.0,
    1e6,
    -1e6,
    1e300,
    -1e300,
    std::numeric_limits<double>::max(),
    std::numeric_limits<double>::lowest(),
    std::numeric_limits<double>::denorm_min(),
    std::numeric_limits<double>::infinity(),
    -std::numeric_limits<double>::infinity(),
    std::numeric_limits<double>::quiet_NaN(),
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto range = Range::Parse(text);
    if (!range) {
        FUZZ_CHECK(range.error().kind == ErrorKind::kInvalidArgument);
        mfsmon::fuzz::CheckError(range.error());
        return 0;
    }
    FUZZ_CHECK(range->text() == text);

    // The same range as warning and critical: both alert together or neither does.
    Thresholds both{*range, *range};
    Thresholds none{};
    for (double v : kValues) {
        const bool alerts = range->Alerts(v);
        const State state = both.Evaluate(v);
        FUZZ_CHECK(state == (alerts ? State::kCritical : State::kOk));
        FUZZ_CHECK(none.Evaluate(v) == State::kOk);
    }
    // "@" flips the answer for every value that is not NaN.
    if (text[0] != '@') {
        auto inside = Range::Parse(std::string("@") + std::string(text));
        FUZZ_CHECK(inside.ok());
        for (double v : kValues) {
            if (std::isnan(v)) continue;
            FUZZ_CHECK(inside->Alerts(v) != range->Alerts(v));
        }
    }
    return 0;
}
