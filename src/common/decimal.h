// The one number syntax mfsmon accepts from people (thresholds, seconds): digits with at most
// one '.', an optional leading '-'. No '+', exponents, hex, "inf" or "nan" (std::from_chars
// alone would take some of them, and none is what an admin means on a command line).
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

namespace mfsmon {

inline std::optional<double> ParseDecimal(std::string_view text) {
    if (text.empty() || text.size() > 32) return std::nullopt;
    bool digits = false, dot = false;
    for (std::size_t i = text[0] == '-' ? 1 : 0; i < text.size(); ++i) {
        if (text[i] >= '0' && text[i] <= '9') {
            digits = true;
        } else if (text[i] == '.' && !dot) {
            dot = true;
        } else {
            return std::nullopt;
        }
    }
    if (!digits) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

}  // namespace mfsmon
