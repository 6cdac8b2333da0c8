// MATOCL_MISSING_CHUNKS (545): the missing chunks found by the filesystem check loop's
// previous complete pass.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/missing_chunk.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

// `form` is the request that was sent (ChooseRequest): mode 1 gets 17-byte entries with the
// type, the empty request 16-byte entries without it. The entry size comes from the form,
// never from divisibility (272 bytes are 16 x 17 and 17 x 16).
Result<std::vector<model::MissingChunk>> DecodeMissingChunks(std::span<const std::uint8_t> payload,
                                                             const model::Version& master,
                                                             RequestForm form);

}  // namespace mfsmon::protocol
