#include "protocol/sclass_info_decoder.h"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/command_ids.h"

namespace mfsmon::protocol {

namespace {

using model::ChunkCounts;
using model::ClassLabel;
using model::ClassState;
using model::StorageClass;

constexpr std::size_t kHeadBytes = 2;  // allservers:16

// 3.0.75+ record after the name (wire protocol section 12): files dirs, the six 64-bit
// counters, admin_only mode arch_delay:16, then (can_be_fulfilled, labelscnt) for CREATE,
// KEEP and ARCHIVE.
constexpr std::size_t kFixed3 = 4 + 4 + 6 * 8 + 1 + 1 + 2 + 3 * 2;
constexpr std::size_t kLabel3 = model::kLabelMasksBytes3 + 2;
static_assert(kFixed3 == 66);
static_assert(kLabel3 == 18);

// fver 5 record after the description (4.x layouts section 6e): files dirs, 6 groups x
// (keep, archive, trash) counters, priority export_group admin_only labels_mode arch_mode
// arch_delay:16 arch_min_size:64 min_trashretention:16, then CREATE and KEEP (7 bytes each)
// and ARCHIVE and TRASH (8 bytes each: + ec_level).
constexpr std::size_t kFixed4 = 4 + 4 + 6 * 3 * 8 + 4 + 1 + 1 + 1 + 1 + 2 + 8 + 2 + 7 + 7 + 8 + 8;
constexpr std::size_t kLabel4 = model::kLabelExprBytes4 + 2;
static_assert(kFixed4 == 202);
static_assert(kLabel4 == 130);

// Walks the records. Every read is checked against what is left before it is made, so that
// an error can say which part of which record was cut; the ByteReader over each fixed block
// still refuses to step past it.
class RecordWalker {
  public:
    RecordWalker(std::span<const std::uint8_t> payload, const model::Version& master)
        : payload_(payload),
          where_(fmt::format("MATOCL_SCLASS_INFO answer of {} bytes from master {}", payload.size(),
                             master.ToString())) {}

    std::size_t pos() const { return pos_; }
    std::size_t left() const { return payload_.size() - pos_; }
    bool done() const { return pos_ == payload_.size(); }

    std::span<const std::uint8_t> Take(std::size_t n) {
        const auto out = payload_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::uint8_t TakeU8() { return payload_[pos_++]; }

    Error Fail(const std::string& what) const {
        return MakeError(ErrorKind::kProtocol, fmt::format("{}: {}", where_, what));
    }

  private:
    std::span<const std::uint8_t> payload_;
    std::string where_;
    std::size_t pos_ = 0;
};

// "class #3 (id 4) at offset 1234": the record's 1-based position, its id and where it
// starts. Names are left out: they are the peer's bytes and may hold anything.
std::string RecordName(std::size_t index, std::uint8_t id, std::size_t start) {
    return fmt::format("class #{} (id {}) at offset {}", index, id, start);
}

std::string AsString(std::span<const std::uint8_t> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A length-prefixed text (name, description) that must fit in what is left.
Result<std::string> ReadText(RecordWalker& w, const std::string& record, const char* what) {
    if (w.left() < 1) {
        return w.Fail(fmt::format("{}: cut before the {} length", record, what));
    }
    const std::size_t length = w.TakeU8();
    if (w.left() < length) {
        return w.Fail(fmt::format("{}: {} of {} bytes runs past the end ({} bytes left)", record,
                                  what, length, w.left()));
    }
    return AsString(w.Take(length));
}

// The id and the name open every record.
Result<StorageClass> ReadRecordHead(RecordWalker& w, std::size_t index) {
    const std::size_t start = w.pos();
    if (w.left() < 2) {
        return w.Fail(
            fmt::format("class #{} at offset {}: {} byte left over, too short for a "
                        "class record (id and name length)",
                        index, start, w.left()));
    }
    StorageClass c;
    c.id = w.TakeU8();
    auto name = ReadText(w, RecordName(index, c.id, start), "name");
    if (!name) return name.error();
    c.name = std::move(*name);
    return c;
}

Status NeedFixed(const RecordWalker& w, const std::string& record, std::size_t fixed) {
    if (w.left() < fixed) {
        return w.Fail(fmt::format("{}: record cut in its {}-byte fixed part ({} bytes left)",
                                  record, fixed, w.left()));
    }
    return OkStatus();
}

// Labels follow the fixed part: CREATE's, then KEEP's, ARCHIVE's and (4.x) TRASH's.
Status ReadLabels(RecordWalker& w, const std::string& record, StorageClass& c, bool four_x) {
    const std::size_t label_bytes = four_x ? kLabel4 : kLabel3;
    const std::size_t expr_bytes = four_x ? model::kLabelExprBytes4 : model::kLabelMasksBytes3;
    const std::size_t total = std::size_t{c.create.labels_count} + c.keep.labels_count +
                              c.archive.labels_count + c.trash.labels_count;
    if (w.left() < total * label_bytes) {
        return w.Fail(fmt::format(
            "{}: labels run past the end: {} labels ({} create, {} keep, {} archive{}) of {} "
            "bytes need {} bytes, {} left",
            record, total, c.create.labels_count, c.keep.labels_count, c.archive.labels_count,
            four_x ? fmt::format(", {} trash", c.trash.labels_count) : std::string(), label_bytes,
            total * label_bytes, w.left()));
    }
    for (ClassState* state : {&c.create, &c.keep, &c.archive, &c.trash}) {
        state->labels.reserve(state->labels_count);
        for (int i = 0; i < state->labels_count; ++i) {
            const auto bytes = w.Take(label_bytes);
            ClassLabel label;
            label.expression.assign(bytes.begin(), bytes.begin() + expr_bytes);
            ByteReader r(bytes.subspan(expr_bytes));
            label.matching_servers = r.U16();
            state->labels.push_back(std::move(label));
        }
    }
    return OkStatus();
}

Error LayoutMismatch(const RecordWalker& w, const std::string& record) {
    // The constants above and the reads below must agree to the byte; a mismatch is our bug,
    // reported rather than trusted.
    return w.Fail(fmt::format("{}: internal layout mismatch in the fixed part", record));
}

Result<StorageClass> ReadClass3(RecordWalker& w, std::size_t index) {
    const std::size_t start = w.pos();
    auto head = ReadRecordHead(w, index);
    if (!head) return head.error();
    StorageClass c = std::move(*head);
    const std::string record = RecordName(index, c.id, start);
    if (auto s = NeedFixed(w, record, kFixed3); !s) return s.error();

    ByteReader r(w.Take(kFixed3));
    c.files = r.U32();
    c.dirs = r.U32();
    // std_* is what the master counts for chunks in KEEP, arch_* for chunks in ARCHIVE.
    c.keep_counts.under_copy = r.U64();
    c.archive_counts.under_copy = r.U64();
    c.keep_counts.exact_copy = r.U64();
    c.archive_counts.exact_copy = r.U64();
    c.keep_counts.over_copy = r.U64();
    c.archive_counts.over_copy = r.U64();
    c.admin_only = r.U8() != 0;
    c.mode = r.U8();
    c.labels_mode = c.mode;
    c.arch_delay = r.U16();
    for (ClassState* state : {&c.create, &c.keep, &c.archive}) {
        state->present = true;
        state->can_be_fulfilled_raw = r.U8();
        state->labels_count = r.U8();
    }
    if (!r.ok() || r.remaining() != 0) return LayoutMismatch(w, record);

    if (auto s = ReadLabels(w, record, c, false); !s) return s.error();
    return c;
}

void ReadState4(ByteReader& r, ClassState& state, bool has_ec_level) {
    state.present = true;
    state.can_be_fulfilled_raw = r.U8();
    state.labels_count = r.U8();
    if (has_ec_level) state.ec_level = r.U8();
    state.uniqmask = r.U32();
    state.labels_mode = r.U8();
}

void ReadCounterGroup(ByteReader& r, std::uint64_t& keep, std::uint64_t& archive,
                      std::uint64_t& trash) {
    keep = r.U64();
    archive = r.U64();
    trash = r.U64();
}

Result<StorageClass> ReadClass4(RecordWalker& w, std::size_t index) {
    const std::size_t start = w.pos();
    auto head = ReadRecordHead(w, index);
    if (!head) return head.error();
    StorageClass c = std::move(*head);
    const std::string record = RecordName(index, c.id, start);
    auto description = ReadText(w, record, "description");
    if (!description) return description.error();
    c.description = std::move(*description);
    if (auto s = NeedFixed(w, record, kFixed4); !s) return s.error();

    ByteReader r(w.Take(kFixed4));
    c.files = r.U32();
    c.dirs = r.U32();
    // 6 groups (under-copy, under-EC, exact-copy, exact-EC, over-copy, over-EC), each
    // (keep, archive, trash). Spelled out: a loop over pointers to members read the groups
    // into the wrong states in the -O3 build (seen live: keep's exact count under archive).
    ReadCounterGroup(r, c.keep_counts.under_copy, c.archive_counts.under_copy,
                     c.trash_counts.under_copy);
    ReadCounterGroup(r, c.keep_counts.under_ec, c.archive_counts.under_ec, c.trash_counts.under_ec);
    ReadCounterGroup(r, c.keep_counts.exact_copy, c.archive_counts.exact_copy,
                     c.trash_counts.exact_copy);
    ReadCounterGroup(r, c.keep_counts.exact_ec, c.archive_counts.exact_ec, c.trash_counts.exact_ec);
    ReadCounterGroup(r, c.keep_counts.over_copy, c.archive_counts.over_copy,
                     c.trash_counts.over_copy);
    ReadCounterGroup(r, c.keep_counts.over_ec, c.archive_counts.over_ec, c.trash_counts.over_ec);
    c.priority = r.U32();
    c.export_group = r.U8();
    c.admin_only = r.U8() != 0;
    c.labels_mode = r.U8();
    c.arch_mode = r.U8();
    c.arch_delay_hours = r.U16();
    c.arch_min_size = r.U64();
    c.min_trash_retention_hours = r.U16();
    ReadState4(r, c.create, false);
    ReadState4(r, c.keep, false);
    ReadState4(r, c.archive, true);
    ReadState4(r, c.trash, true);
    if (!r.ok() || r.remaining() != 0) return LayoutMismatch(w, record);

    if (auto s = ReadLabels(w, record, c, true); !s) return s.error();
    return c;
}

}  // namespace

Result<model::StorageClasses> DecodeSclassInfo(std::span<const std::uint8_t> payload,
                                               const model::Version& master, RequestForm form) {
    auto layout =
        FindLayout(Command::kSclassInfo, master, form, static_cast<std::uint32_t>(payload.size()));
    if (!layout) return layout.error();
    const bool four_x = *layout == Layout::kSclass4v5;
    if (!four_x && *layout != Layout::kSclass3) {
        return MakeError(ErrorKind::kProtocol,
                         "internal error: the layout table gave MATOCL_SCLASS_INFO a layout "
                         "this decoder does not know");
    }

    RecordWalker w(payload, master);
    if (w.left() < kHeadBytes) {
        return w.Fail(fmt::format("shorter than the {}-byte allservers head", kHeadBytes));
    }
    model::StorageClasses out;
    ByteReader head(w.Take(kHeadBytes));
    out.all_servers = head.U16();

    // Records follow one another to the last byte: whatever is left must be a whole record,
    // so a payload the records do not tile ends in an error, never in silently dropped bytes.
    for (std::size_t index = 1; !w.done(); ++index) {
        auto c = four_x ? ReadClass4(w, index) : ReadClass3(w, index);
        if (!c) return c.error();
        out.classes.push_back(std::move(*c));
    }
    return out;
}

}  // namespace mfsmon::protocol
