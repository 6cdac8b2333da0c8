// MATOCL_CHUNKS_MATRIX (517): progress byte + 2, 6 or 8 chunk matrices.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/chunk_matrix.h"
#include "model/version.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection: it decides what the
// rows mean and which lengths are valid.
Result<model::ChunkMatrices> DecodeChunksMatrix(std::span<const std::uint8_t> payload,
                                                const model::Version& master);

}  // namespace mfsmon::protocol
