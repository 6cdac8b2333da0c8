// DecodeFsTestInfo on arbitrary MATOCL_FSTEST_INFO payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), one byte
// for the request form that was sent (0 empty, 1 pver 1; others are skipped), then the
// payload. The decoder must return a value or a one-line error naming the answer, never crash;
// it must accept exactly the answers whose head the table knows and whose msgleng covers the
// rest, and a value must be the head's fields and exactly the message bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/fs_check.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/fs_test_info_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::fuzz::Be32;
using mfsmon::model::FsCheckInfo;
using mfsmon::model::Version;
using mfsmon::protocol::Command;
using mfsmon::protocol::RequestForm;

// The head size for this form, as mfscli unpacks it (36 + 8 * pver).
std::size_t HeadOf(RequestForm form) {
    return form == RequestForm::kPver1 ? 44 : 36;
}

void CheckValue(const FsCheckInfo& out, RequestForm form, const std::uint8_t* p, std::size_t size) {
    const std::size_t head = HeadOf(form);
    FUZZ_CHECK(size >= head);
    const bool pver1 = form == RequestForm::kPver1;
    std::size_t at = 0;
    const auto next = [&] {
        const std::uint32_t v = Be32(p + at);
        at += 4;
        return v;
    };
    FUZZ_CHECK(out.loop_start == next());
    FUZZ_CHECK(out.loop_end == next());
    FUZZ_CHECK(out.files == next());
    FUZZ_CHECK(out.undergoal_files == next());
    FUZZ_CHECK(out.missing_files == next());
    FUZZ_CHECK(out.missing_trash_files.has_value() == pver1);
    FUZZ_CHECK(out.missing_sustained_files.has_value() == pver1);
    if (pver1) {
        FUZZ_CHECK(*out.missing_trash_files == next());
        FUZZ_CHECK(*out.missing_sustained_files == next());
    }
    FUZZ_CHECK(out.chunks == next());
    FUZZ_CHECK(out.undergoal_chunks == next());
    FUZZ_CHECK(out.missing_chunks == next());
    FUZZ_CHECK(next() == size - head);
    FUZZ_CHECK(at == head);
    FUZZ_CHECK(out.message == std::string(p + head, p + size));
    FUZZ_CHECK(out.has_data() == (out.loop_start != 0));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size, true);
    if (!in || in->form > 1) return 0;
    const RequestForm form = in->form == 1 ? RequestForm::kPver1 : RequestForm::kEmpty;
    const auto payload = in->payload;
    const bool known =
        mfsmon::protocol::FindLayout(Command::kFsTestInfo, in->version, form, in->length()).ok();
    // What a well-formed answer is, computed apart from the decoder: a known head whose
    // msgleng is the rest of the payload.
    const std::size_t head = HeadOf(form);
    const bool well_formed =
        known && payload.size() >= head && Be32(payload.data() + head - 4) == payload.size() - head;
    auto out = mfsmon::protocol::DecodeFsTestInfo(payload, in->version, form);
    FUZZ_CHECK(out.ok() == well_formed);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error(), "MATOCL_FSTEST_INFO");
        return 0;
    }
    CheckValue(*out, form, payload.data(), payload.size());
    return 0;
}
