#include "protocol/master_version.h"

#include <fmt/format.h>

#include "protocol/byte_reader.h"

namespace mfsmon::protocol {

model::Version VersionFromWire(std::uint16_t major, std::uint8_t mid, std::uint8_t minor_byte) {
    model::Version v;
    v.major = major;
    v.mid = mid;
    const bool plain_patch = major < 2 || (major == 4 && mid <= 10);
    v.minor = plain_patch ? minor_byte : static_cast<std::uint8_t>(minor_byte >> 1);
    v.pro = !plain_patch && (minor_byte & 1) != 0;
    return v;
}

Result<model::Version> DecodeInfoVersion(std::span<const std::uint8_t> payload) {
    if (payload.size() < 4) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("MATOCL_INFO answer of {} bytes is too short to hold a "
                                     "version",
                                     payload.size()));
    }
    ByteReader r(payload);
    const auto major = r.U16();
    const auto mid = r.U8();
    const auto minor = r.U8();
    return VersionFromWire(major, mid, minor);
}

}  // namespace mfsmon::protocol
