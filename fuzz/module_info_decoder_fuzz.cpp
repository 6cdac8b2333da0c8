// DecodeModuleInfo on arbitrary ANTOCL_MODULE_INFO payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The decoder must return a value or an error, never crash; a value must come from
// a 21-byte payload and carry its metadata id from bytes 7..14.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/module_info_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    auto out = mfsmon::protocol::DecodeModuleInfo(in->payload, in->version);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error());
        return 0;
    }
    FUZZ_CHECK(in->payload.size() == 21);
    FUZZ_CHECK(out->version == in->version);
    std::uint64_t id = 0;
    for (std::size_t i = 7; i < 15; ++i) id = (id << 8) | in->payload[i];
    FUZZ_CHECK(out->metadata_id == id);
    FUZZ_CHECK(mfsmon::protocol::FindLayout(mfsmon::protocol::Command::kModuleInfo, in->version,
                                            in->length())
                   .ok());
    return 0;
}
