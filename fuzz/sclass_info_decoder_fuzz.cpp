// DecodeSclassInfo on arbitrary MATOCL_SCLASS_INFO payloads.
// Input: a 4-byte version word as it leads MATOCL_INFO (major:16 mid:8 minor_x2:8), then the
// payload. The request form is the one mfsmon would have sent to that version
// (ChooseRequest). The decoder must return a value or a one-line kProtocol error, never crash;
// a value must be read from the right bytes, and its records must tile the payload exactly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/storage_class.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"
#include "protocol/sclass_info_decoder.h"

namespace {

using mfsmon::fuzz::Be;
using mfsmon::model::ChunkCounts;
using mfsmon::model::ClassState;
using mfsmon::model::Fulfillable;
using mfsmon::model::StorageClass;
using mfsmon::model::StorageClasses;
using mfsmon::model::Version;
using mfsmon::protocol::Command;
using mfsmon::protocol::Layout;
using mfsmon::protocol::RequestForm;

// The state block at `p` (4.x: can, labelscnt, [ec_level], uniqmask:32, labels_mode).
void CheckState4(const ClassState& st, const std::uint8_t* p, bool has_ec_level) {
    FUZZ_CHECK(st.present);
    FUZZ_CHECK(st.can_be_fulfilled_raw == p[0]);
    FUZZ_CHECK(st.labels_count == p[1]);
    const std::uint8_t* q = p + 2;
    FUZZ_CHECK(st.ec_level == (has_ec_level ? *q++ : 0));
    FUZZ_CHECK(st.uniqmask == Be(q, 4));
    FUZZ_CHECK(st.labels_mode == q[4]);
}

void CheckCounts3(const StorageClass& c, const std::uint8_t* f) {
    // files dirs, then std/arch pairs for under, exact, over.
    const ChunkCounts& k = c.keep_counts;
    const ChunkCounts& a = c.archive_counts;
    FUZZ_CHECK(k.under_copy == Be(f + 8, 8) && a.under_copy == Be(f + 16, 8));
    FUZZ_CHECK(k.exact_copy == Be(f + 24, 8) && a.exact_copy == Be(f + 32, 8));
    FUZZ_CHECK(k.over_copy == Be(f + 40, 8) && a.over_copy == Be(f + 48, 8));
    for (const ChunkCounts* x : {&k, &a, &c.trash_counts}) {
        FUZZ_CHECK(x->under_ec == 0 && x->exact_ec == 0 && x->over_ec == 0);
    }
    const ChunkCounts& t = c.trash_counts;
    FUZZ_CHECK(t.under_copy == 0 && t.exact_copy == 0 && t.over_copy == 0);
}

void CheckCounts4(const StorageClass& c, const std::uint8_t* f) {
    std::uint64_t ChunkCounts::*const groups[] = {&ChunkCounts::under_copy, &ChunkCounts::under_ec,
                                                  &ChunkCounts::exact_copy, &ChunkCounts::exact_ec,
                                                  &ChunkCounts::over_copy,  &ChunkCounts::over_ec};
    for (int g = 0; g < 6; ++g) {
        const std::uint8_t* p = f + 8 + 24 * g;
        FUZZ_CHECK(c.keep_counts.*groups[g] == Be(p, 8));
        FUZZ_CHECK(c.archive_counts.*groups[g] == Be(p + 8, 8));
        FUZZ_CHECK(c.trash_counts.*groups[g] == Be(p + 16, 8));
    }
}

// The helpers every consumer relies on must agree with the raw values.
void CheckHelpers(const StorageClass& c) {
    FUZZ_CHECK(c.in_use() == (c.files > 0 || c.dirs > 0));
    for (const ClassState* st : {&c.create, &c.keep, &c.archive, &c.trash}) {
        const Fulfillable f = st->fulfillable();
        if (st->can_be_fulfilled_raw <= 4) {
            FUZZ_CHECK(static_cast<int>(f) == st->can_be_fulfilled_raw);
        } else {
            FUZZ_CHECK(f == Fulfillable::kUnknown);
        }
        FUZZ_CHECK(!mfsmon::model::FulfillableName(f).empty());
        FUZZ_CHECK(!st->TargetText().empty());
        FUZZ_CHECK(st->is_ec() == (st->ec_level != 0));
        FUZZ_CHECK(st->ec_data_parts() >= 0 && st->ec_data_parts() <= 15);
        FUZZ_CHECK(st->ec_checksum_parts() >= 0 && st->ec_checksum_parts() <= 15);
        for (const auto& label : st->labels) (void)label.any_server();
    }
}

// Walks the payload again, independently of the decoder, and checks that every decoded field
// came from its bytes and that the records end exactly at the end of the payload.
void CheckValue(const StorageClasses& out, bool four_x, const std::uint8_t* p, std::size_t size) {
    FUZZ_CHECK(size >= 2);
    FUZZ_CHECK(out.all_servers == Be(p, 2));
    const std::size_t fixed = four_x ? 202 : 66;
    const std::size_t expr =
        four_x ? mfsmon::model::kLabelExprBytes4 : mfsmon::model::kLabelMasksBytes3;
    std::size_t pos = 2;
    for (const StorageClass& c : out.classes) {
        FUZZ_CHECK(pos + 2 <= size);
        FUZZ_CHECK(p[pos] == c.id);
        FUZZ_CHECK(p[pos + 1] == c.name.size());
        pos += 2;
        FUZZ_CHECK(pos + c.name.size() <= size);
        FUZZ_CHECK(std::memcmp(p + pos, c.name.data(), c.name.size()) == 0);
        pos += c.name.size();
        if (four_x) {
            FUZZ_CHECK(pos + 1 <= size && p[pos] == c.description.size());
            ++pos;
            FUZZ_CHECK(pos + c.description.size() <= size);
            FUZZ_CHECK(std::memcmp(p + pos, c.description.data(), c.description.size()) == 0);
            pos += c.description.size();
        } else {
            FUZZ_CHECK(c.description.empty());
        }

        FUZZ_CHECK(pos + fixed <= size);
        const std::uint8_t* f = p + pos;
        FUZZ_CHECK(c.files == Be(f, 4) && c.dirs == Be(f + 4, 4));
        if (four_x) {
            CheckCounts4(c, f);
            FUZZ_CHECK(c.priority == Be(f + 152, 4));
            FUZZ_CHECK(c.export_group == f[156]);
            FUZZ_CHECK(c.admin_only == (f[157] != 0));
            FUZZ_CHECK(c.labels_mode == f[158]);
            FUZZ_CHECK(c.arch_mode == f[159]);
            FUZZ_CHECK(c.arch_delay_hours == Be(f + 160, 2));
            FUZZ_CHECK(c.arch_min_size == Be(f + 162, 8));
            FUZZ_CHECK(c.min_trash_retention_hours == Be(f + 170, 2));
            CheckState4(c.create, f + 172, false);
            CheckState4(c.keep, f + 179, false);
            CheckState4(c.archive, f + 186, true);
            CheckState4(c.trash, f + 194, true);
            FUZZ_CHECK(c.mode == 0 && c.arch_delay == 0);
        } else {
            CheckCounts3(c, f);
            FUZZ_CHECK(c.admin_only == (f[56] != 0));
            FUZZ_CHECK(c.mode == f[57] && c.labels_mode == f[57]);
            FUZZ_CHECK(c.arch_delay == Be(f + 58, 2));
            const ClassState* states[] = {&c.create, &c.keep, &c.archive};
            for (int s = 0; s < 3; ++s) {
                FUZZ_CHECK(states[s]->present);
                FUZZ_CHECK(states[s]->can_be_fulfilled_raw == f[60 + 2 * s]);
                FUZZ_CHECK(states[s]->labels_count == f[61 + 2 * s]);
                FUZZ_CHECK(states[s]->ec_level == 0 && states[s]->uniqmask == 0);
                FUZZ_CHECK(states[s]->labels_mode == mfsmon::model::kLabelsModeClassDefault);
            }
            FUZZ_CHECK(!c.trash.present && c.trash.labels_count == 0);
            FUZZ_CHECK(c.priority == 0 && c.arch_delay_hours == 0 && c.arch_min_size == 0);
        }
        pos += fixed;

        // Labels: CREATE's, KEEP's, ARCHIVE's, TRASH's, each expression + matching:16.
        for (const ClassState* st : {&c.create, &c.keep, &c.archive, &c.trash}) {
            FUZZ_CHECK(st->labels.size() == st->labels_count);
            for (const auto& label : st->labels) {
                FUZZ_CHECK(label.expression.size() == expr);
                FUZZ_CHECK(pos + expr + 2 <= size);
                FUZZ_CHECK(std::memcmp(p + pos, label.expression.data(), expr) == 0);
                FUZZ_CHECK(label.matching_servers == Be(p + pos + expr, 2));
                pos += expr + 2;
            }
        }
        CheckHelpers(c);
    }
    FUZZ_CHECK(pos == size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    const Version master = in->version;
    const auto payload = in->payload;

    const auto form = mfsmon::protocol::ChooseRequest(Command::kSclassInfo, master);
    if (!form) {
        // No request is known for this version, so no answer can be either.
        mfsmon::fuzz::CheckError(form.error());
        for (const auto f : {RequestForm::kEmpty, RequestForm::kFver5}) {
            const auto out = mfsmon::protocol::DecodeSclassInfo(payload, master, f);
            FUZZ_CHECK(!out.ok());
            mfsmon::fuzz::CheckDecodeError(out.error());
        }
        return 0;
    }
    const auto layout =
        mfsmon::protocol::FindLayout(Command::kSclassInfo, master, *form, in->length());
    FUZZ_CHECK(layout.ok());
    FUZZ_CHECK(*layout == Layout::kSclass3 || *layout == Layout::kSclass4v5);

    const auto out = mfsmon::protocol::DecodeSclassInfo(payload, master, *form);
    if (!out) {
        mfsmon::fuzz::CheckDecodeError(out.error());
        return 0;
    }
    CheckValue(*out, *layout == Layout::kSclass4v5, payload.data(), payload.size());
    return 0;
}
