// A wall-clock time the master or a chunkserver reported (Unix seconds), for people: UTC, so
// that the text reads the same wherever the check runs.
#pragma once

#include <cstdint>
#include <string>

namespace mfsmon::health {

enum class TimePrecision {
    kMinute,  // "2024-05-01 12:34 UTC": for times that only move once a loop (about an hour)
    kSecond,  // "2024-05-01 12:34:56 UTC": for events, such as a disk's last I/O error
};

std::string UtcTime(std::uint32_t unix_time, TimePrecision precision);

}  // namespace mfsmon::health
