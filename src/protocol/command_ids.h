// Packet types of the MooseFS admin protocol that mfsmon sends or expects (decimal, as in
// MFSCommunication.h). Answers are request + 1.
#pragma once

#include <cstdint>

namespace mfsmon::protocol {

inline constexpr std::uint32_t kCltomaCservList = 500;
inline constexpr std::uint32_t kMatoclCservList = 501;
inline constexpr std::uint32_t kCltomaInfo = 510;
inline constexpr std::uint32_t kMatoclInfo = 511;
inline constexpr std::uint32_t kCltomaFsTestInfo = 512;
inline constexpr std::uint32_t kMatoclFsTestInfo = 513;
inline constexpr std::uint32_t kCltomaChunksTestInfo = 514;
inline constexpr std::uint32_t kMatoclChunksTestInfo = 515;
inline constexpr std::uint32_t kCltomaChunksMatrix = 516;
inline constexpr std::uint32_t kMatoclChunksMatrix = 517;
inline constexpr std::uint32_t kCltomaMlogList = 522;
inline constexpr std::uint32_t kMatoclMlogList = 523;
inline constexpr std::uint32_t kCltoanModuleInfo = 530;
inline constexpr std::uint32_t kAntoclModuleInfo = 531;
inline constexpr std::uint32_t kCltomaMassResolvePaths = 536;
inline constexpr std::uint32_t kMatoclMassResolvePaths = 537;
inline constexpr std::uint32_t kCltomaSclassInfo = 542;
inline constexpr std::uint32_t kMatoclSclassInfo = 543;
inline constexpr std::uint32_t kCltomaMissingChunks = 544;
inline constexpr std::uint32_t kMatoclMissingChunks = 545;
// On the chunkserver's client port.
inline constexpr std::uint32_t kCltocsHddList = 600;
inline constexpr std::uint32_t kCstoclHddList = 601;

// The commands the layout table knows, for messages and for the table's key.
enum class Command {
    kInfo,
    kChunksMatrix,
    kCservList,
    kHddList,
    kMlogList,
    kChunksTestInfo,
    kFsTestInfo,
    kSclassInfo,
    kMissingChunks,
    kMassResolvePaths,
    kModuleInfo,
};

const char* CommandName(Command c);  // "CLTOMA_INFO"
const char* AnswerName(Command c);   // "MATOCL_INFO"
std::uint32_t RequestType(Command c);
std::uint32_t AnswerType(Command c);

}  // namespace mfsmon::protocol
