// DecodeChunksMatrix on arbitrary MATOCL_CHUNKS_MATRIX payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The decoder must return a value or an error, never crash; a value must have the
// matrices its layout promises, read from the right bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "model/chunk_matrix.h"
#include "model/version.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::ErrorKind;
using mfsmon::model::ChunkMatrices;
using mfsmon::model::kMatrixSize;
using mfsmon::model::Matrix;
using mfsmon::model::Version;

constexpr std::size_t kMatrixBytes = kMatrixSize * kMatrixSize * 4;

std::uint32_t Be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

// The matrix must be the 121 big-endian cells at `p`, and the class summary must account
// for every chunk exactly once.
void CheckMatrix(const Matrix& m, const std::uint8_t* p) {
    std::uint64_t sum = 0;
    for (int r = 0; r < kMatrixSize; ++r) {
        for (int c = 0; c < kMatrixSize; ++c) {
            FUZZ_CHECK(m[r][c] == Be32(p + 4 * (r * kMatrixSize + c)));
            sum += m[r][c];
        }
    }
    const auto counts = mfsmon::model::Summarize(m);
    FUZZ_CHECK(counts.Total() == sum);
    FUZZ_CHECK(counts.Deficient() <= sum);
    std::uint64_t rows = 0;
    for (int r = 0; r < kMatrixSize; ++r) {
        const auto row = mfsmon::model::SummarizeRow(m, r);
        FUZZ_CHECK(row.Total() == mfsmon::model::RowTotal(m, r));
        rows += row.Total();
    }
    FUZZ_CHECK(rows == sum);
}

void CheckValue(const ChunkMatrices& out, const Version& master, const std::uint8_t* payload,
                std::size_t size) {
    FUZZ_CHECK(mfsmon::protocol::FindLayout(mfsmon::protocol::Command::kChunksMatrix, master,
                                            static_cast<std::uint32_t>(size))
                   .ok());
    FUZZ_CHECK(size == 1 + 2 * kMatrixBytes || size == 1 + 6 * kMatrixBytes ||
               size == 1 + 8 * kMatrixBytes);
    const std::size_t matrices = (size - 1) / kMatrixBytes;
    FUZZ_CHECK(out.progress == payload[0]);
    (void)mfsmon::model::ProgressText(out.progress);

    // Rows mean goal before 4.0 and redundancy level + 1 from 4.0 on, whatever the length.
    const bool four_x = !(master < Version{4, 0, 0, false});
    FUZZ_CHECK(out.rows == (four_x ? mfsmon::model::RowMeaning::kRedundancyLevel
                                   : mfsmon::model::RowMeaning::kGoal));
    FUZZ_CHECK(four_x || matrices == 2);

    // Wire order: all, regular, then the same pair for copies, EC8, EC4.
    FUZZ_CHECK(out.copies.has_value() == (matrices >= 6));
    FUZZ_CHECK(out.ec8.has_value() == (matrices >= 6));
    FUZZ_CHECK(out.ec4.has_value() == (matrices == 8));
    const std::uint8_t* p = payload + 1;
    CheckMatrix(out.combined.all, p + 0 * kMatrixBytes);
    CheckMatrix(out.combined.regular, p + 1 * kMatrixBytes);
    if (out.copies) {
        CheckMatrix(out.copies->all, p + 2 * kMatrixBytes);
        CheckMatrix(out.copies->regular, p + 3 * kMatrixBytes);
    }
    if (out.ec8) {
        CheckMatrix(out.ec8->all, p + 4 * kMatrixBytes);
        CheckMatrix(out.ec8->regular, p + 5 * kMatrixBytes);
    }
    if (out.ec4) {
        CheckMatrix(out.ec4->all, p + 6 * kMatrixBytes);
        CheckMatrix(out.ec4->regular, p + 7 * kMatrixBytes);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const Version master = mfsmon::protocol::VersionFromWire(
        static_cast<std::uint16_t>((data[0] << 8) | data[1]), data[2], data[3]);
    const std::span<const std::uint8_t> payload(data + 4, size - 4);
    auto out = mfsmon::protocol::DecodeChunksMatrix(payload, master);
    if (!out) {
        FUZZ_CHECK(out.error().kind == ErrorKind::kProtocol);
        mfsmon::fuzz::CheckError(out.error());
        return 0;
    }
    CheckValue(*out, master, payload.data(), payload.size());
    return 0;
}
