// What the decoder fuzz targets share: reading their input and checking a decoder's error.
// Input (scripts/fuzz.sh writes the seeds so): a 4-byte version word as it leads MATOCL_INFO
// (major:16 mid:8 minor_x2:8), then, for the answers whose layout depends on the request, one
// byte for the request form that was sent, then the answer's payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "fuzz_check.h"
#include "model/version.h"
#include "protocol/master_version.h"

namespace mfsmon::fuzz {

// `bytes` bytes at `p`, big endian: read apart from the decoders' own reader.
inline std::uint64_t Be(const std::uint8_t* p, std::size_t bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
}

inline std::uint32_t Be32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(Be(p, 4));
}

struct DecoderInput {
    model::Version version;  // of the master (of the chunkserver for HDD_LIST)
    std::uint8_t form = 0;   // the request form byte; 0 when the input has none
    std::span<const std::uint8_t> payload;

    std::uint32_t length() const { return static_cast<std::uint32_t>(payload.size()); }
};

// Splits a fuzz input; nullopt when it is shorter than the version word (and, `with_form`,
// the form byte).
inline std::optional<DecoderInput> ReadDecoderInput(const std::uint8_t* data, std::size_t size,
                                                    bool with_form = false) {
    const std::size_t head = with_form ? 5 : 4;
    if (size < head) return std::nullopt;
    DecoderInput in;
    in.version =
        protocol::VersionFromWire(static_cast<std::uint16_t>(Be(data, 2)), data[2], data[3]);
    if (with_form) in.form = data[4];
    in.payload = std::span<const std::uint8_t>(data + head, size - head);
    return in;
}

// A decoder's error: a kProtocol error on one non-empty line that names `answer` (when given).
inline void CheckDecodeError(const Error& e, std::string_view answer = {}) {
    FUZZ_CHECK(e.kind == ErrorKind::kProtocol);
    CheckError(e);
    if (!answer.empty()) FUZZ_CHECK(e.message.find(answer) != std::string::npos);
}

}  // namespace mfsmon::fuzz
