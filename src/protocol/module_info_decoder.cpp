#include "protocol/module_info_decoder.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace mfsmon::protocol {

Result<model::ModuleInfo> DecodeModuleInfo(std::span<const std::uint8_t> payload,
                                           const model::Version& master) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kModuleInfo, master, length);
    if (!layout) return layout.error();
    if (*layout != Layout::kModuleInfo21) {
        return MakeError(ErrorKind::kProtocol,
                         "internal layout mismatch: ANTOCL_MODULE_INFO rule with another layout");
    }
    ByteReader r(payload);
    model::ModuleInfo info;
    info.module_type = r.U8();
    const auto major = r.U16();
    const auto mid = r.U8();
    const auto minor = r.U8();
    info.version = VersionFromWire(major, mid, minor);
    r.Skip(2);
    info.metadata_id = r.U64();
    r.Skip(6);
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding ANTOCL_MODULE_INFO of {} "
                                     "bytes ({} left over)",
                                     payload.size(), r.remaining()));
    }
    // The module answers for itself: a version other than INFO's on the same connection
    // means the answer is not what we think it is.
    if (!(info.version == master)) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("ANTOCL_MODULE_INFO says version {} but MATOCL_INFO said {}",
                                     info.version.ToString(), master.ToString()));
    }
    return info;
}

}  // namespace mfsmon::protocol
