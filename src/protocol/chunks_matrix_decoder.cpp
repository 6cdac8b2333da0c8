#include "protocol/chunks_matrix_decoder.h"

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

namespace {

model::Matrix ReadMatrix(ByteReader& r) {
    model::Matrix m{};
    for (auto& row : m) {
        for (auto& cell : row) cell = r.U32();
    }
    return m;
}

model::MatrixPair ReadPair(ByteReader& r) {
    model::MatrixPair pair;
    pair.all = ReadMatrix(r);
    pair.regular = ReadMatrix(r);
    return pair;
}

}  // namespace

Result<model::ChunkMatrices> DecodeChunksMatrix(std::span<const std::uint8_t> payload,
                                                const model::Version& master, RequestForm request) {
    auto layout = FindLayout(Command::kChunksMatrix, master, request,
                             static_cast<std::uint32_t>(payload.size()));
    if (!layout) return layout.error();

    model::ChunkMatrices out;
    ByteReader r(payload);
    out.progress = r.U8();
    out.rows = *layout == Layout::kMatrixGoal2 ? model::RowMeaning::kGoal
                                               : model::RowMeaning::kRedundancyLevel;
    // Order on the wire (checked against mfscli 4.59.2 -j): all, regular, then the same
    // pair per storage mode: copies, EC8 (before 4.26: the only EC form), EC4.
    out.combined = ReadPair(r);
    if (*layout == Layout::kMatrixLevel6 || *layout == Layout::kMatrixLevel8) {
        out.copies = ReadPair(r);
        out.ec8 = ReadPair(r);
    }
    if (*layout == Layout::kMatrixLevel8) out.ec4 = ReadPair(r);
    if (!r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         "internal layout mismatch decoding MATOCL_CHUNKS_MATRIX");
    }
    return out;
}

}  // namespace mfsmon::protocol
