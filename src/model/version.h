// A MooseFS daemon version as mfscli shows it ("3.0.117", "4.59.2"), plus the PRO flag that
// the wire hides in the low bit of the patch byte.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace mfsmon::model {

struct Version {
    std::uint16_t major = 0;
    std::uint8_t mid = 0;
    std::uint8_t minor = 0;
    bool pro = false;

    constexpr auto operator<=>(const Version& other) const {
        if (auto c = major <=> other.major; c != 0) return c;
        if (auto c = mid <=> other.mid; c != 0) return c;
        return minor <=> other.minor;
    }
    constexpr bool operator==(const Version& other) const {
        return major == other.major && mid == other.mid && minor == other.minor;
    }

    std::string ToString() const {
        return std::to_string(major) + "." + std::to_string(mid) + "." + std::to_string(minor) +
               (pro ? " PRO" : "");
    }
};

}  // namespace mfsmon::model
