// MATOCL_CHUNKSTEST_INFO (515): the chunk loop's previous complete pass.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/chunk_loop.h"
#include "model/version.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection: 3.x answers 52, 60 or 72
// bytes (chosen by length, as mfscli does), 4.4+ answers 96, with different counters.
Result<model::ChunkLoopInfo> DecodeChunksTestInfo(std::span<const std::uint8_t> payload,
                                                  const model::Version& master);

}  // namespace mfsmon::protocol
