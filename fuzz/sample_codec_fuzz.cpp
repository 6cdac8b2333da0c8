// DecodeSample on arbitrary bytes (stored values are outside input: a damaged or foreign
// file): it must return a sample or a one-line kProtocol error, never crash, and a sample
// must be the exact meaning of the bytes: encoding it again gives the same bytes (the format
// has one encoding per sample) and decoding those the same sample.
//
// Random bytes almost never carry a valid CRC-32, which would leave the field parser behind
// the checksum unfuzzed. So each input is decoded twice: as it is, and with its CRC-32
// appended (the seeds are encoded samples without their CRC).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <zlib.h>

#include "fuzz_check.h"
#include "history/sample_codec.h"

namespace {

void Check(std::span<const std::uint8_t> input) {
    auto sample = mfsmon::history::DecodeSample(input);
    if (!sample) {
        FUZZ_CHECK(sample.error().kind == mfsmon::ErrorKind::kProtocol);
        mfsmon::fuzz::CheckError(sample.error());
        FUZZ_CHECK(sample.error().message.rfind("sample: ", 0) == 0);
        return;
    }
    FUZZ_CHECK(sample->rows.size() <= mfsmon::history::kMaxSampleRows);
    for (const auto& row : sample->rows) FUZZ_CHECK(row.row < mfsmon::model::kMatrixSize);
    const std::vector<std::uint8_t> again = mfsmon::history::EncodeSample(*sample);
    FUZZ_CHECK(std::vector<std::uint8_t>(input.begin(), input.end()) == again);
    auto back = mfsmon::history::DecodeSample(again);
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(*back == *sample);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Check(std::span<const std::uint8_t>(data, size));

    std::vector<std::uint8_t> sealed(data, data + size);
    const auto crc = static_cast<std::uint32_t>(crc32(0, data, static_cast<uInt>(size)));
    for (int shift = 24; shift >= 0; shift -= 8) {
        sealed.push_back(static_cast<std::uint8_t>(crc >> shift));
    }
    Check(sealed);
    return 0;
}
