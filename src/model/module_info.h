// A MooseFS module's answer to CLTOAN_MODULE_INFO: what it is, its version and the metadata
// id of the cluster it belongs to. Masters before 4.4 carry the metadata id nowhere else; the
// history keys a cluster's samples by it (a different cluster behind the same address has
// another id).
#pragma once

#include <cstdint>

#include "model/version.h"

namespace mfsmon::model {

struct ModuleInfo {
    std::uint8_t module_type = 0;  // MODULE_TYPE_MASTER etc. (as sent)
    Version version;
    std::uint64_t metadata_id = 0;
};

}  // namespace mfsmon::model
