// DecodeMassResolvePaths on arbitrary MATOCL_MASS_RESOLVE_PATHS payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The decoder must return a value or a one-line error naming the answer and the
// record, never crash (paths hold any byte, newlines included, and must not reach the error
// line); it must accept exactly the payloads whose lengths tile (checked here by a separate
// walk), and a value written back out must be the payload, byte for byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/missing_chunk.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/mass_resolve_paths_decoder.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::fuzz::Be32;
using mfsmon::model::InodePaths;
using mfsmon::model::Version;
using mfsmon::protocol::Command;

void Put32(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

// Whether the records and their paths tile the payload exactly, in 64-bit arithmetic.
bool Tiles(const std::uint8_t* p, std::size_t size) {
    std::uint64_t pos = 0;
    while (pos < size) {
        if (size - pos < 8) return false;
        const std::uint64_t end = pos + 8 + Be32(p + pos + 4);
        if (end > size) return false;
        pos += 8;
        while (pos < end) {
            if (end - pos < 4) return false;
            pos += 4 + std::uint64_t{Be32(p + pos)};
            if (pos > end) return false;
        }
    }
    return true;
}

void CheckValue(const std::vector<InodePaths>& out, const std::uint8_t* payload, std::size_t size) {
    std::vector<std::uint8_t> again;
    again.reserve(size);
    for (const auto& r : out) {
        Put32(again, r.inode);
        std::uint64_t psize = 0;
        for (const auto& path : r.paths) psize += 4 + path.size();
        Put32(again, psize);
        for (const auto& path : r.paths) {
            Put32(again, path.size());
            again.insert(again.end(), path.begin(), path.end());
        }
    }
    FUZZ_CHECK(again.size() == size);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), payload));
    // The request for these inodes is inode:32 each.
    std::vector<std::uint32_t> inodes;
    for (const auto& r : out) inodes.push_back(r.inode);
    const auto request = mfsmon::protocol::MassResolvePathsPayload(inodes);
    FUZZ_CHECK(request.size() == 4 * inodes.size());
    for (std::size_t i = 0; i < inodes.size(); ++i) {
        FUZZ_CHECK(Be32(request.data() + 4 * i) == inodes[i]);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    const auto payload = in->payload;
    const bool known =
        mfsmon::protocol::FindLayout(Command::kMassResolvePaths, in->version,
                                     mfsmon::protocol::RequestForm::kInodeList, in->length())
            .ok();
    auto out = mfsmon::protocol::DecodeMassResolvePaths(payload, in->version);
    FUZZ_CHECK(out.ok() == (known && Tiles(payload.data(), payload.size())));
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error(), "MATOCL_MASS_RESOLVE_PATHS");
        // A version the table knows: the error is about the bytes and names the record.
        if (known) FUZZ_CHECK(out.error().message.find("record ") != std::string::npos);
        return 0;
    }
    CheckValue(*out, payload.data(), payload.size());
    return 0;
}
