#include "exporter/scrape_budget.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace mfsmon::exporter {

std::chrono::milliseconds ScrapeBudget(std::string_view header, const BudgetSettings& settings) {
    const auto fallback = std::max(settings.cap, settings.floor);
    if (header.empty() || header.size() > 32) return fallback;
    const std::string text(header);
    char* end = nullptr;
    const double seconds = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0) {
        return fallback;
    }
    const double ms = std::min(seconds * 1000.0, 1e9);
    const auto given = std::chrono::milliseconds(static_cast<long long>(ms)) - settings.margin;
    return std::clamp(given, settings.floor, std::max(settings.cap, settings.floor));
}

}  // namespace mfsmon::exporter
