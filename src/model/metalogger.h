// One metadata backup logger connected to the master (MATOCL_MLOG_LIST).
#pragma once

#include <cstdint>

#include "model/version.h"

namespace mfsmon::model {

struct Metalogger {
    Version version;
    std::uint32_t ip = 0;  // IPv4 the master sees the connection from (see model/ipv4.h)
};

}  // namespace mfsmon::model
