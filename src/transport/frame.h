// MooseFS framing: every packet is type:32 length:32 (big-endian) followed by the payload.
#pragma once

#include <cstdint>
#include <vector>

namespace mfsmon::transport {

inline constexpr std::uint32_t kNopType = 0;             // ANTOAN_NOP: keep-alive, skipped
inline constexpr std::uint32_t kUnknownCommandType = 1;  // ANTOAN_UNKNOWN_COMMAND
inline constexpr std::uint32_t kBadCommandSizeType = 2;  // ANTOAN_BAD_COMMAND_SIZE
inline constexpr std::size_t kHeaderSize = 8;

// No monitoring answer we decode comes near this; the master itself refuses requests over
// 50 MB. A header claiming more is refused before anything is allocated.
inline constexpr std::uint32_t kMaxPayloadLength = 16u << 20;

struct Frame {
    std::uint32_t type = 0;
    std::vector<std::uint8_t> payload;
};

// Header + payload, ready to write.
std::vector<std::uint8_t> EncodeFrame(std::uint32_t type, const std::vector<std::uint8_t>& payload);

}  // namespace mfsmon::transport
