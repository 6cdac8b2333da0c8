// MATOCL_MLOG_LIST (523): the metaloggers connected to the master.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/metalogger.h"
#include "model/version.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection. N x 8 bytes; an empty
// payload is an empty list (no metalogger connected), not an error.
Result<std::vector<model::Metalogger>> DecodeMlogList(std::span<const std::uint8_t> payload,
                                                      const model::Version& master);

}  // namespace mfsmon::protocol
