// "1 disk", "4 disks": a count with its noun, for the lines an admin reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace mfsmon::health {

inline std::string Counted(std::uint64_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace mfsmon::health
