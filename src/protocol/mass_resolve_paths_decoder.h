// CLTOMA_MASS_RESOLVE_PATHS (536) -> MATOCL_MASS_RESOLVE_PATHS (537): the paths of inodes
// (mfscli asks it for the files of the missing chunks).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "model/missing_chunk.h"
#include "model/version.h"

namespace mfsmon::protocol {

// The request payload: inode:32 for each inode, in the given order. (mfscli sends each inode
// once; the master answers one record per inode asked.)
std::vector<std::uint8_t> MassResolvePathsPayload(std::span<const std::uint32_t> inodes);

// Records `inode:32 psize:32` then psize bytes of `pleng:32 path` entries, in wire order and
// not merged. Every length must tile exactly (the paths the record, the records the payload);
// anything else is an error naming the record. `master` is the version from MATOCL_INFO of
// the same connection.
Result<std::vector<model::InodePaths>> DecodeMassResolvePaths(std::span<const std::uint8_t> payload,
                                                              const model::Version& master);

}  // namespace mfsmon::protocol
