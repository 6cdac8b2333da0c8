// The version word that leads CLTOMA_INFO: major:16 mid:8 minor_x2:8.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/version.h"

namespace mfsmon::protocol {

// The patch byte is 2*minor + pro for >= 2.0.0, except 4.0-4.10 where it is the plain
// patch number (as mfscli's version_convert()).
model::Version VersionFromWire(std::uint16_t major, std::uint8_t mid, std::uint8_t minor_byte);

// Reads the version from the first 4 bytes of a MATOCL_INFO payload.
Result<model::Version> DecodeInfoVersion(std::span<const std::uint8_t> payload);

}  // namespace mfsmon::protocol
