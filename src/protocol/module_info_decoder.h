// ANTOCL_MODULE_INFO (531): module type, version and metadata id.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/module_info.h"
#include "model/version.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection. Exactly 21 bytes:
// module_type:8 major:16 mid:8 minor_x2:8 0:16 meta_id:64 0:32 0:16.
Result<model::ModuleInfo> DecodeModuleInfo(std::span<const std::uint8_t> payload,
                                           const model::Version& master);

}  // namespace mfsmon::protocol
