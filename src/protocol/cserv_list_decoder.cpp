#include "protocol/cserv_list_decoder.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/master_version.h"

namespace mfsmon::protocol {

namespace {

struct EntryShape {
    std::size_t size;
    bool original_ip;          // 73/77: the registered address before the mapped one
    bool maintenance_timeout;  // 77: one more u32 at the end
};

std::optional<EntryShape> ShapeOf(Layout layout) {
    switch (layout) {
        case Layout::kCservList69:
            return EntryShape{69, false, false};
        case Layout::kCservList73:
            return EntryShape{73, true, false};
        case Layout::kCservList77:
            return EntryShape{77, true, true};
        default:
            return std::nullopt;
    }
}

// The master that added the 0x40000000 fast-rebalance gracetime (moosefs NEWS, 4.37.0).
constexpr model::Version kFastRebalanceSince{4, 37, 0, false};

model::ChunkServer ReadEntry(ByteReader& r, const EntryShape& shape, bool fast_rebalance_known) {
    model::ChunkServer cs;
    // flags:8 in the top byte of the version word, then an 8-bit major (INFO and MLOG use
    // 16 bits), mid, minor_x2.
    cs.flags = r.U8();
    const auto major = r.U8();
    const auto mid = r.U8();
    const auto minor = r.U8();
    cs.version = VersionFromWire(major, mid, minor);
    if (shape.original_ip) cs.original_ip = r.U32();
    cs.ip = r.U32();
    cs.port = r.U16();
    cs.csid = r.U16();
    cs.used = r.U64();
    cs.total = r.U64();
    cs.chunks = r.U32();
    cs.td_used = r.U64();
    cs.td_total = r.U64();
    cs.td_chunks = r.U32();
    cs.errors = r.U32();
    cs.load = r.U32();
    cs.gracetime = r.U32();
    cs.labelmask = r.U32();
    cs.mfr_status = r.U8();
    if (shape.maintenance_timeout) cs.maintenance_timeout = r.U32();
    cs.fast_rebalance_known = fast_rebalance_known;
    return cs;
}

}  // namespace

Result<std::vector<model::ChunkServer>> DecodeCservList(std::span<const std::uint8_t> payload,
                                                        const model::Version& master,
                                                        RequestForm form) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kCservList, master, form, length);
    if (!layout) return layout.error();
    const auto shape = ShapeOf(*layout);
    if (!shape) {
        return MakeError(ErrorKind::kProtocol,
                         "internal layout mismatch: MATOCL_CSERV_LIST rule with a non-CSERV_LIST "
                         "layout");
    }

    const bool fast_rebalance_known = !(master < kFastRebalanceSince);
    std::vector<model::ChunkServer> out;
    out.reserve(payload.size() / shape->size);
    ByteReader r(payload);
    while (r.ok() && r.remaining() >= shape->size) {
        const std::size_t start = r.offset();
        out.push_back(ReadEntry(r, *shape, fast_rebalance_known));
        // The shape and the table must agree to the byte; a mismatch is our bug, reported as
        // an error rather than trusted.
        if (r.ok() && r.offset() - start != shape->size) {
            return MakeError(ErrorKind::kProtocol,
                             fmt::format("internal layout mismatch decoding MATOCL_CSERV_LIST: "
                                         "read {} bytes of a {}-byte entry",
                                         r.offset() - start, shape->size));
        }
    }
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_CSERV_LIST of {} "
                                     "bytes ({} left over)",
                                     payload.size(), r.remaining()));
    }
    return out;
}

}  // namespace mfsmon::protocol
