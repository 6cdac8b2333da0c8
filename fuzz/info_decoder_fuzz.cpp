// DecodeInfo on arbitrary MATOCL_INFO payloads: it must return a value or an error, never
// crash, and a value must agree with the layout table and with the bytes it came from.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/master_info.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::fuzz::Be;
using mfsmon::model::MasterInfo;
using mfsmon::model::Version;

void CheckValue(const MasterInfo& info, const std::uint8_t* data, std::size_t size) {
    FUZZ_CHECK(info.layout_length == size);

    // The version is the first word, decoded the one documented way.
    const Version wire = mfsmon::protocol::VersionFromWire(static_cast<std::uint16_t>(Be(data, 2)),
                                                           data[2], data[3]);
    FUZZ_CHECK(info.version == wire);
    FUZZ_CHECK(info.version.pro == wire.pro);
    // Only the table decides: the pair must be one of its rules.
    FUZZ_CHECK(mfsmon::protocol::FindLayout(mfsmon::protocol::Command::kInfo, info.version,
                                            static_cast<std::uint32_t>(size))
                   .ok());

    // The shape of each known length (layout_table.h).
    bool free_space = false, four_x = false, ec4 = false, exports = true, tail = false;
    switch (size) {
        case 121:
            exports = false;
            break;
        case 129:
            break;
        case 137:
            free_space = true;
            break;
        case 149:
            free_space = tail = true;
            break;
        case 173:
            four_x = true;
            break;
        case 181:
            four_x = free_space = true;
            break;
        case 193:
            four_x = free_space = tail = true;
            break;
        case 205:
            four_x = free_space = tail = ec4 = true;
            break;
        default:
            FUZZ_CHECK(!"DecodeInfo accepted a length the layout table does not have");
    }
    FUZZ_CHECK(four_x == (info.version.major == 4));
    FUZZ_CHECK(info.free_space.has_value() == free_space);
    FUZZ_CHECK(info.exports_checksum.has_value() == exports);
    FUZZ_CHECK(info.usec_time.has_value() == tail);
    FUZZ_CHECK(info.last_changelog_time.has_value() == tail);
    // 2.x/3.x count all/regular copies; 4.x counts chunks by storage mode instead.
    FUZZ_CHECK(info.all_copies.has_value() == !four_x);
    FUZZ_CHECK(info.regular_copies.has_value() == !four_x);
    FUZZ_CHECK(info.copy_chunks.has_value() == four_x);
    FUZZ_CHECK(info.ec8_chunks.has_value() == four_x);
    FUZZ_CHECK(info.ec4_chunks.has_value() == ec4);
    FUZZ_CHECK(info.metadata_id.has_value() == four_x);
    FUZZ_CHECK(info.last_store_meta_version.has_value() == four_x);
    FUZZ_CHECK(info.last_store_checksum.has_value() == four_x);
    FUZZ_CHECK(info.chunk_copies.has_value() == four_x);
    FUZZ_CHECK(info.ec8_parts.has_value() == four_x);
    FUZZ_CHECK(info.ec4_parts.has_value() == ec4);
    FUZZ_CHECK(info.hypothetical_copies.has_value() == four_x);

    // Fields at fixed places: the first after the version, and the last of each layout.
    FUZZ_CHECK(info.memory_usage == Be(data + 4, 8));
    if (tail) {
        FUZZ_CHECK(*info.last_changelog_time == Be(data + size - 4, 4));
        FUZZ_CHECK(*info.usec_time == Be(data + size - 12, 8));
    } else if (four_x) {
        FUZZ_CHECK(*info.hypothetical_copies == Be(data + size - 8, 8));
    } else if (exports) {
        FUZZ_CHECK(*info.exports_checksum == Be(data + size - 8, 8));
    } else {
        FUZZ_CHECK(info.meta_version == Be(data + size - 8, 8));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto info = mfsmon::protocol::DecodeInfo(std::span<const std::uint8_t>(data, size));
    if (!info) {
        mfsmon::fuzz::CheckDecodeError(info.error());
        return 0;
    }
    CheckValue(*info, data, size);
    return 0;
}
