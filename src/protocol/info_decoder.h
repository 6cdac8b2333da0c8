// MATOCL_INFO (511): master version, space, object counts, metadata save state.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/master_info.h"

namespace mfsmon::protocol {

// Picks the layout from the version in the first 4 bytes and the payload length (see
// layout_table.h); any other pair is an error.
Result<model::MasterInfo> DecodeInfo(std::span<const std::uint8_t> payload);

}  // namespace mfsmon::protocol
