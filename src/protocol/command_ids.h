// Packet types of the MooseFS admin protocol that mfsmon sends or expects (decimal, as in
// MFSCommunication.h). Answers are request + 1.
#pragma once

#include <cstdint>

namespace mfsmon::protocol {

inline constexpr std::uint32_t kCltomaInfo = 510;
inline constexpr std::uint32_t kMatoclInfo = 511;
inline constexpr std::uint32_t kCltomaChunksMatrix = 516;
inline constexpr std::uint32_t kMatoclChunksMatrix = 517;

// The commands the layout table knows, for messages and for the table's key.
enum class Command { kInfo, kChunksMatrix };

const char* CommandName(Command c);  // "CLTOMA_INFO"
const char* AnswerName(Command c);   // "MATOCL_INFO"

}  // namespace mfsmon::protocol
