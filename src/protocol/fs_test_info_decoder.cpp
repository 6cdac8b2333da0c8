#include "protocol/fs_test_info_decoder.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "protocol/byte_reader.h"

namespace mfsmon::protocol {

Result<model::FsCheckInfo> DecodeFsTestInfo(std::span<const std::uint8_t> payload,
                                            const model::Version& master, RequestForm form) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kFsTestInfo, master, form, length);
    if (!layout) return layout.error();
    const bool pver1 = *layout == Layout::kFsTest44;

    model::FsCheckInfo out;
    ByteReader r(payload);
    out.loop_start = r.U32();
    out.loop_end = r.U32();
    out.files = r.U32();
    out.undergoal_files = r.U32();
    out.missing_files = r.U32();
    if (pver1) {
        out.missing_trash_files = r.U32();
        out.missing_sustained_files = r.U32();
    }
    out.chunks = r.U32();
    out.undergoal_chunks = r.U32();
    out.missing_chunks = r.U32();
    const std::uint32_t message_length = r.U32();
    if (!r.ok()) {
        // The table promised at least the head; not having it is our bug.
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_FSTEST_INFO of {} "
                                     "bytes",
                                     payload.size()));
    }
    // mfscli takes whatever follows the head as the message and never reads msgleng; we do:
    // a length that does not add up means the head is not what we think it is.
    if (message_length != r.remaining()) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("MATOCL_FSTEST_INFO answer of {} bytes from master {}: the "
                                     "{}-byte head announces {} message bytes, {} follow",
                                     payload.size(), master.ToString(), r.offset(), message_length,
                                     r.remaining()));
    }
    const auto text = payload.subspan(r.offset());
    out.message.assign(text.begin(), text.end());
    return out;
}

}  // namespace mfsmon::protocol
