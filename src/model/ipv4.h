// IPv4 addresses as the admin protocol carries them: one big-endian 32-bit word.
#pragma once

#include <cstdint>
#include <string>

namespace mfsmon::model {

// Dotted quad, as mfscli prints it: 0xC612000A -> "198.18.0.10".
inline std::string Ipv4Text(std::uint32_t ip) {
    std::string text;
    text.reserve(15);
    for (int shift = 24; shift >= 0; shift -= 8) {
        if (shift != 24) text += '.';
        text += std::to_string((ip >> shift) & 0xFFu);
    }
    return text;
}

}  // namespace mfsmon::model
