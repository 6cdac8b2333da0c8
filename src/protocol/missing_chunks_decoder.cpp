#include "protocol/missing_chunks_decoder.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "protocol/byte_reader.h"

namespace mfsmon::protocol {

Result<std::vector<model::MissingChunk>> DecodeMissingChunks(std::span<const std::uint8_t> payload,
                                                             const model::Version& master,
                                                             RequestForm form) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kMissingChunks, master, form, length);
    if (!layout) return layout.error();
    const bool typed = *layout == Layout::kMissingChunks17;
    const std::size_t entry = typed ? 17 : 16;

    std::vector<model::MissingChunk> out;
    out.reserve(payload.size() / entry);
    ByteReader r(payload);
    while (r.ok() && r.remaining() >= entry) {
        model::MissingChunk c;
        c.chunk_id = r.U64();
        c.inode = r.U32();
        c.index = r.U32();
        if (typed) c.type_raw = r.U8();
        out.push_back(c);
    }
    // The table checked that entries tile the payload; a remainder is our bug.
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_MISSING_CHUNKS of "
                                     "{} bytes",
                                     payload.size()));
    }
    return out;
}

}  // namespace mfsmon::protocol
