// Sizes and durations for people: "16.2 GiB", "1 h 05 min". Binary units, as mfscli prints.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace mfsmon {

inline std::string HumanBytes(double bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024.0 && u < 6) {
        bytes /= 1024.0;
        ++u;
    }
    if (u == 0) return fmt::format("{:.0f} B", bytes);
    return fmt::format("{:.1f} {}", bytes, kUnits[u]);
}

inline std::string HumanDuration(std::int64_t seconds) {
    if (seconds < 0) seconds = 0;
    if (seconds < 120) return fmt::format("{} s", seconds);
    if (seconds < 7200) return fmt::format("{} min", seconds / 60);
    if (seconds < 172800) return fmt::format("{} h {:02} min", seconds / 3600, seconds % 3600 / 60);
    return fmt::format("{} d {} h", seconds / 86400, seconds % 86400 / 3600);
}

inline std::string Percent(double part, double whole) {
    if (whole <= 0) return "n/a";
    return fmt::format("{:.1f}%", part * 100.0 / whole);
}

}  // namespace mfsmon
