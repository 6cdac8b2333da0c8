#include "protocol/chunks_test_info_decoder.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

namespace {

// Counter names after loop start and loop end, in wire order (wire protocol section 11,
// mfscli 3.0.117's unpacking of each length). mfscli prints "done/done+not done" per column;
// the names keep the two wire values apart. Every 3.x length starts with these ten.
constexpr std::string_view kKeys3x[] = {
    "invalid_deleted",           "invalid_not_deleted",   "unused_deleted",
    "unused_not_deleted",        "disk_clean_deleted",    "disk_clean_not_deleted",
    "over_goal_deleted",         "over_goal_not_deleted", "under_goal_replicated",
    "under_goal_not_replicated",
};

// The ten above, then what one length adds after them.
template <std::size_t N>
constexpr std::array<std::string_view, std::size(kKeys3x) + N> Keys3x(
    const std::string_view (&tail)[N]) {
    std::array<std::string_view, std::size(kKeys3x) + N> keys{};
    std::copy(std::begin(kKeys3x), std::end(kKeys3x), keys.begin());
    std::copy(std::begin(tail), std::end(tail), keys.begin() + std::size(kKeys3x));
    return keys;
}

constexpr auto kKeys52 = Keys3x({"rebalance"});
constexpr auto kKeys60 = Keys3x({"rebalance", "locked_unused", "locked_used"});
// 72 adds the wrong-labels pair before rebalance and the chunks whose labels no server
// matches after it (mfscli's "wrong labels" column: replicated/dont_match/sum of the three).
constexpr auto kKeys72 =
    Keys3x({"wrong_labels_replicated", "wrong_labels_not_replicated", "rebalance",
            "wrong_labels_dont_match", "locked_unused", "locked_used"});
// 4.4+: mfscli -j's chunk_loop keys, in wire order (layouts note section 5); this is not the
// order mfscli prints them in: the locked pair and rebalance come last on the wire.
constexpr std::string_view kKeys96[] = {
    "fixed_chunks",
    "forced_keep",
    "del_invalid_copies",
    "del_no_longer_needed",
    "del_wrong_version",
    "del_duplicate_ecpart",
    "del_excess_ecpart",
    "del_excess_copy",
    "del_mfr_ecpart",
    "del_mfr_copy",
    "rep_dupserver_ecpart",
    "rep_needed_ecpart",
    "rep_needed_copy",
    "rep_wronglabels_ecpart",
    "rep_wronglabels_copy",
    "rep_split_copy_into_ecparts",
    "rep_join_ecparts_into_copy",
    "rep_recover_ecpart",
    "rep_calculate_ecchksum",
    "locked_unused",
    "locked_used",
    "rep_replicate_rebalance",
};

std::span<const std::string_view> KeysOf(Layout layout) {
    switch (layout) {
        case Layout::kChunksTest52:
            return kKeys52;
        case Layout::kChunksTest60:
            return kKeys60;
        case Layout::kChunksTest72:
            return kKeys72;
        case Layout::kChunksTest96:
            return kKeys96;
        default:
            return {};
    }
}

}  // namespace

Result<model::ChunkLoopInfo> DecodeChunksTestInfo(std::span<const std::uint8_t> payload,
                                                  const model::Version& master) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kChunksTestInfo, master, length);
    if (!layout) return layout.error();
    const auto keys = KeysOf(*layout);

    model::ChunkLoopInfo out;
    ByteReader r(payload);
    out.start = r.U32();
    out.end = r.U32();
    out.counters.reserve(keys.size());
    for (const auto key : keys) out.counters.push_back({key, r.U32()});
    // The key lists and the table must agree to the byte; a mismatch is our bug, reported
    // rather than trusted.
    if (keys.empty() || !r.ok() || r.remaining() != 0) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("internal layout mismatch decoding MATOCL_CHUNKSTEST_INFO "
                                     "of {} bytes",
                                     payload.size()));
    }
    return out;
}

}  // namespace mfsmon::protocol
