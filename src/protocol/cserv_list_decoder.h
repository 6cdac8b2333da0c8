// MATOCL_CSERV_LIST (501): every chunkserver the master knows, connected or not.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/chunkserver.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection and `form` the request that
// was sent (ChooseRequest). The entry size comes from both through the layout table: 69 bytes
// (3.0.38 .. 4.25), 73 (4.26+, empty request), 77 (4.35+, mode 1). Never from divisibility:
// 5621 bytes are 77 entries of 73 and 73 entries of 77.
Result<std::vector<model::ChunkServer>> DecodeCservList(std::span<const std::uint8_t> payload,
                                                        const model::Version& master,
                                                        RequestForm form);

}  // namespace mfsmon::protocol
