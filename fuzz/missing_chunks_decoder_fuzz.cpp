// DecodeMissingChunks on arbitrary MATOCL_MISSING_CHUNKS payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), one byte
// for the request form that was sent (0 empty, 1 mode 1; others are skipped), then the
// payload. The decoder must return a value or a one-line error naming the answer, never crash;
// it must accept exactly what the layout table accepts, and a value must be every entry of
// the payload, in order, with the entry size of the form (17 with a type, 16 without).
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
#include "protocol/master_version.h"
#include "protocol/missing_chunks_decoder.h"

namespace {

using mfsmon::fuzz::Be;
using mfsmon::model::MissingChunk;
using mfsmon::model::MissingType;
using mfsmon::model::Version;
using mfsmon::protocol::Command;
using mfsmon::protocol::RequestForm;

void CheckValue(const std::vector<MissingChunk>& out, RequestForm form, const std::uint8_t* p,
                std::size_t size) {
    const bool typed = form == RequestForm::kMode1;
    const std::size_t entry = typed ? 17 : 16;
    FUZZ_CHECK(size % entry == 0);
    FUZZ_CHECK(out.size() == size / entry);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const MissingChunk& c = out[i];
        const std::uint8_t* e = p + i * entry;
        FUZZ_CHECK(c.chunk_id == Be(e, 8));
        FUZZ_CHECK(c.inode == Be(e + 8, 4));
        FUZZ_CHECK(c.index == Be(e + 12, 4));
        FUZZ_CHECK(c.type_raw.has_value() == typed);
        // mfscli's words: 0..3 named, anything else (and no type) OTHER.
        const MissingType expected = !typed       ? MissingType::kOther
                                     : e[16] == 0 ? MissingType::kNoCopy
                                     : e[16] == 1 ? MissingType::kInvalidCopies
                                     : e[16] == 2 ? MissingType::kWrongVersions
                                     : e[16] == 3 ? MissingType::kPartialEc
                                                  : MissingType::kOther;
        if (typed) FUZZ_CHECK(*c.type_raw == e[16]);
        FUZZ_CHECK(c.type() == expected);
        FUZZ_CHECK(!mfsmon::model::MissingTypeText(c.type()).empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size, true);
    if (!in || in->form > 1) return 0;
    const RequestForm form = in->form == 1 ? RequestForm::kMode1 : RequestForm::kEmpty;
    const bool known =
        mfsmon::protocol::FindLayout(Command::kMissingChunks, in->version, form, in->length()).ok();
    auto out = mfsmon::protocol::DecodeMissingChunks(in->payload, in->version, form);
    FUZZ_CHECK(out.ok() == known);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error(), "MATOCL_MISSING_CHUNKS");
        return 0;
    }
    CheckValue(*out, form, in->payload.data(), in->payload.size());
    return 0;
}
