// What the master's chunk loop did in its previous complete pass (MATOCL_CHUNKSTEST_INFO):
// deletions, replications, locked chunks. Which counters there are depends on the master
// (3.x: done/not-done pairs; 4.x: a flat list with the EC operations), so they are kept as
// named values in wire order instead of as fields that half the masters would leave empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mfsmon::model {

struct ChunkLoopCounter {
    // 4.x: exactly mfscli -j's chunk_loop key ("del_excess_copy"). 3.x: a stable snake_case
    // name of mfscli's column ("invalid_deleted", "invalid_not_deleted"). Points at a static
    // string of the decoder, so it outlives every ChunkLoopInfo.
    std::string_view key;
    std::uint32_t value = 0;
};

struct ChunkLoopInfo {
    std::uint32_t start = 0;  // unix time; 0 = no pass finished yet (mfscli: "no data")
    std::uint32_t end = 0;
    std::vector<ChunkLoopCounter> counters;  // wire order

    // mfscli prints nothing but "no data" when start is 0, even if the master sent an end time
    // and counters (3.0.117 does, for a pass it has not completed).
    bool has_data() const { return start != 0; }

    // The counter named `key`, or nothing when this master does not send it.
    std::optional<std::uint32_t> Counter(std::string_view key) const {
        for (const auto& c : counters) {
            if (c.key == key) return c.value;
        }
        return std::nullopt;
    }
};

}  // namespace mfsmon::model
