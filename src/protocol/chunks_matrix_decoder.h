// MATOCL_CHUNKS_MATRIX (517): progress byte + 2, 6 or 8 chunk matrices.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/chunk_matrix.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection: it decides what the
// rows mean and which lengths are valid. `request` is the form that was sent: kEmpty (every
// class) or kClassId (one storage class, 4.44+; same layout).
Result<model::ChunkMatrices> DecodeChunksMatrix(std::span<const std::uint8_t> payload,
                                                const model::Version& master,
                                                RequestForm request = RequestForm::kEmpty);

}  // namespace mfsmon::protocol
