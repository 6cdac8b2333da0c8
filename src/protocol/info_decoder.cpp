#include "protocol/info_decoder.h"

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace mfsmon::protocol {

namespace {

struct InfoShape {
    bool free_space;        // 137/149 (3.x), 181/193/205 (4.x)
    bool four_x;            // copy/EC counters instead of all/regular copies
    bool ec4_split;         // 205: EC8 and EC4 counted apart
    bool exports_checksum;  // all but 121
    bool time_tail;         // usec_time + last_changelog_time
};

InfoShape ShapeOf(Layout layout) {
    switch (layout) {
        case Layout::kInfo121:
            return {false, false, false, false, false};
        case Layout::kInfo129:
            return {false, false, false, true, false};
        case Layout::kInfo137:
            return {true, false, false, true, false};
        case Layout::kInfo149:
            return {true, false, false, true, true};
        case Layout::kInfo173:
            return {false, true, false, true, false};
        case Layout::kInfo181:
            return {true, true, false, true, false};
        case Layout::kInfo193:
            return {true, true, false, true, true};
        case Layout::kInfo205:
            return {true, true, true, true, true};
        default:
            return {};
    }
}

}  // namespace

Result<model::MasterInfo> DecodeInfo(std::span<const std::uint8_t> payload) {
    auto version = DecodeInfoVersion(payload);
    if (!version) return version.error();
    auto layout = FindLayout(Command::kInfo, *version, static_cast<std::uint32_t>(payload.size()));
    if (!layout) return layout.error();
    const InfoShape shape = ShapeOf(*layout);

    model::MasterInfo info;
    info.version = *version;
    info.layout_length = static_cast<std::uint32_t>(payload.size());
    ByteReader r(payload);
    r.U32();  // version, decoded above
    info.memory_usage = r.U64();
    info.sys_cpu = r.U64();
    info.user_cpu = r.U64();
    info.total_space = r.U64();
    info.avail_space = r.U64();
    if (shape.free_space) info.free_space = r.U64();
    info.trash_space = r.U64();
    info.trash_files = r.U32();
    info.sustained_space = r.U64();
    info.sustained_files = r.U32();
    info.all_nodes = r.U32();
    info.dir_nodes = r.U32();
    info.file_nodes = r.U32();
    info.chunks = r.U32();
    if (!shape.four_x) {
        info.all_copies = r.U32();
        info.regular_copies = r.U32();
    } else {
        info.copy_chunks = r.U32();
        info.ec8_chunks = r.U32();
        if (shape.ec4_split) info.ec4_chunks = r.U32();
    }
    info.last_store_time = r.U32();
    info.last_store_duration_ms = r.U32();
    info.last_store_status = r.U8();
    info.working_state = r.U8();
    info.next_state = r.U8();
    info.stable_state = r.U8();
    info.sync = r.U8();
    info.leader_ip = r.U32();
    info.state_change_time = r.U32();
    info.meta_version = r.U64();
    if (shape.exports_checksum) info.exports_checksum = r.U64();
    if (shape.four_x) {
        info.metadata_id = r.U64();
        info.last_store_meta_version = r.U64();
        info.last_store_checksum = r.U32();
        info.chunk_copies = r.U64();
        info.ec8_parts = r.U64();
        if (shape.ec4_split) info.ec4_parts = r.U64();
        info.hypothetical_copies = r.U64();
    }
    if (shape.time_tail) {
        info.usec_time = r.U64();
        info.last_changelog_time = r.U32();
    }
    // The table and the shapes must agree to the byte; a mismatch is our bug, reported as
    // an error rather than trusted.
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_INFO of {} bytes "
                                     "({} left over)",
                                     payload.size(), r.remaining()));
    }
    return info;
}

}  // namespace mfsmon::protocol
