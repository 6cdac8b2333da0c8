#include "health/utc_time.h"

#include <ctime>

namespace mfsmon::health {

std::string UtcTime(std::uint32_t unix_time, TimePrecision precision) {
    const std::time_t t = unix_time;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(
        buf, sizeof buf,
        precision == TimePrecision::kSecond ? "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

}  // namespace mfsmon::health
