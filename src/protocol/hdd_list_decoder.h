// CSTOCL_HDD_LIST (601): a chunkserver's disks, asked on its own client port (CLTOCS_HDD_LIST,
// empty request). Self-sized entries back to back, no count: see moosefs-wire-protocol.md
// section 7 and moosefs-4x-layouts.md section 4.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/disk.h"
#include "model/version.h"

namespace mfsmon::protocol {

// `chunkserver` is that server's version from the master's CSERV_LIST (not the master's):
// the layout table is keyed by it. An empty payload is a chunkserver with no disks (an
// empty vector). Every entry must be entrysize:16 followed by exactly entrysize bytes, with
// entrysize = plen + 34 + 192 (stats with fsync) or plen + 34 + 144 (the older form, as
// mfscli accepts); anything else is a kProtocol error naming CSTOCL_HDD_LIST, the entry
// index and what was wrong.
Result<std::vector<model::Disk>> DecodeHddList(std::span<const std::uint8_t> payload,
                                               const model::Version& chunkserver);

}  // namespace mfsmon::protocol
