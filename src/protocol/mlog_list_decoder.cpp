#include "protocol/mlog_list_decoder.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace mfsmon::protocol {

namespace {

// major:16 mid:8 minor_x2:8 ip:32 (the master writes version:32 ip:32).
constexpr std::size_t kEntrySize = 8;

}  // namespace

Result<std::vector<model::Metalogger>> DecodeMlogList(std::span<const std::uint8_t> payload,
                                                      const model::Version& master) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kMlogList, master, length);
    if (!layout) return layout.error();
    if (*layout != Layout::kMlogList) {
        return MakeError(ErrorKind::kProtocol,
                         "internal layout mismatch: MATOCL_MLOG_LIST rule with another layout");
    }

    std::vector<model::Metalogger> out;
    out.reserve(payload.size() / kEntrySize);
    ByteReader r(payload);
    while (r.ok() && r.remaining() >= kEntrySize) {
        model::Metalogger m;
        const auto major = r.U16();
        const auto mid = r.U8();
        const auto minor = r.U8();
        m.version = VersionFromWire(major, mid, minor);
        m.ip = r.U32();
        out.push_back(m);
    }
    // The table checked that entries tile the payload; a remainder is our bug.
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_MLOG_LIST of {} "
                                     "bytes ({} left over)",
                                     payload.size(), r.remaining()));
    }
    return out;
}

}  // namespace mfsmon::protocol
