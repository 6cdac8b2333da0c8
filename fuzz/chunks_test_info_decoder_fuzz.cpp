// DecodeChunksTestInfo on arbitrary MATOCL_CHUNKSTEST_INFO payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The decoder must return a value or a one-line error naming the answer, never crash;
// it must accept exactly the lengths the layout table accepts for the version, and a value
// must hold every u32 of the payload, in order, under distinct keys.
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/chunk_loop.h"
#include "model/version.h"
#include "protocol/chunks_test_info_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::fuzz::Be32;
using mfsmon::model::ChunkLoopInfo;
using mfsmon::model::Version;
using mfsmon::protocol::Command;

bool IsSnakeCase(std::string_view key) {
    if (key.empty() || key.front() == '_' || key.back() == '_') return false;
    for (const char c : key) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

void CheckValue(const ChunkLoopInfo& out, const Version& master, const std::uint8_t* payload,
                std::size_t size) {
    // 52/60/72 for 2.x/3.x, 96 for 4.4+, nothing else.
    const bool four_x = !(master < Version{4, 0, 0, false});
    FUZZ_CHECK(four_x ? size == 96 : (size == 52 || size == 60 || size == 72));
    FUZZ_CHECK(out.start == Be32(payload));
    FUZZ_CHECK(out.end == Be32(payload + 4));
    FUZZ_CHECK(out.has_data() == (out.start != 0));
    FUZZ_CHECK(out.counters.size() == size / 4 - 2);
    std::set<std::string_view> keys;
    for (std::size_t i = 0; i < out.counters.size(); ++i) {
        const auto& c = out.counters[i];
        FUZZ_CHECK(c.value == Be32(payload + 8 + 4 * i));
        FUZZ_CHECK(IsSnakeCase(c.key));
        FUZZ_CHECK(keys.insert(c.key).second);
        FUZZ_CHECK(out.Counter(c.key) == c.value);
    }
    FUZZ_CHECK(!out.Counter("no_such_counter").has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    const bool known =
        mfsmon::protocol::FindLayout(Command::kChunksTestInfo, in->version, in->length()).ok();
    auto out = mfsmon::protocol::DecodeChunksTestInfo(in->payload, in->version);
    // Exactly the table's lengths: no layout is guessed, none the table knows is refused.
    FUZZ_CHECK(out.ok() == known);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error(), "MATOCL_CHUNKSTEST_INFO");
        return 0;
    }
    CheckValue(*out, in->version, in->payload.data(), in->payload.size());
    return 0;
}
