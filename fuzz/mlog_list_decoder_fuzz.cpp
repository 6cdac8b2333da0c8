// DecodeMlogList on arbitrary MATOCL_MLOG_LIST payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The decoder must return a value or an error, never crash; a value must hold one
// metalogger per 8 bytes, each read from its own bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/ipv4.h"
#include "model/metalogger.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"
#include "protocol/mlog_list_decoder.h"

namespace {

using mfsmon::fuzz::Be32;
using mfsmon::model::Metalogger;
using mfsmon::model::Version;
using mfsmon::protocol::Command;

void CheckValue(const std::vector<Metalogger>& out, const Version& master,
                const std::uint8_t* payload, std::size_t size) {
    FUZZ_CHECK(
        mfsmon::protocol::FindLayout(Command::kMlogList, master, static_cast<std::uint32_t>(size))
            .ok());
    // 2.0 .. 4.x, N x 8.
    constexpr Version kFrom{2, 0, 0, false};
    constexpr Version kBefore{5, 0, 0, false};
    FUZZ_CHECK(!(master < kFrom) && master < kBefore);
    FUZZ_CHECK(out.size() * 8 == size);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::uint8_t* p = payload + 8 * i;
        // major:16 mid:8 minor_x2:8 ip:32 (wire protocol section 8).
        const Version v = mfsmon::protocol::VersionFromWire(
            static_cast<std::uint16_t>((p[0] << 8) | p[1]), p[2], p[3]);
        FUZZ_CHECK(out[i].version == v && out[i].version.pro == v.pro);
        FUZZ_CHECK(out[i].ip == Be32(p + 4));
        const std::string ip = mfsmon::model::Ipv4Text(out[i].ip);
        FUZZ_CHECK(ip.size() >= 7 && ip.size() <= 15);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    auto out = mfsmon::protocol::DecodeMlogList(in->payload, in->version);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error());
        // Only the table refuses: a length it accepts must decode.
        FUZZ_CHECK(
            !mfsmon::protocol::FindLayout(Command::kMlogList, in->version, in->length()).ok());
        return 0;
    }
    CheckValue(*out, in->version, in->payload.data(), in->payload.size());
    return 0;
}
