// The master's CLTOMA_INFO answer, as typed values. Fields a layout does not carry are
// empty optionals, never zeros, so that "not sent" is not mistaken for "none".
#pragma once

#include <cstdint>
#include <optional>

#include "model/version.h"

namespace mfsmon::model {

struct MasterInfo {
    Version version;
    std::uint32_t layout_length = 0;  // answer length the layout was chosen by

    std::uint64_t memory_usage = 0;  // bytes (RSS)
    std::uint64_t sys_cpu = 0;       // fraction of one core x 1e9 (mfscli: /1e7 -> %)
    std::uint64_t user_cpu = 0;
    std::uint64_t total_space = 0;
    std::uint64_t avail_space = 0;
    std::optional<std::uint64_t> free_space;
    std::uint64_t trash_space = 0;
    std::uint32_t trash_files = 0;
    std::uint64_t sustained_space = 0;
    std::uint32_t sustained_files = 0;
    std::uint32_t all_nodes = 0;
    std::uint32_t dir_nodes = 0;
    std::uint32_t file_nodes = 0;
    std::uint32_t chunks = 0;

    // 2.x/3.x only.
    std::optional<std::uint32_t> all_copies;
    std::optional<std::uint32_t> regular_copies;
    // 4.x only: readable chunks by storage mode. Before 4.26 EC is one number (ec8).
    std::optional<std::uint32_t> copy_chunks;
    std::optional<std::uint32_t> ec8_chunks;
    std::optional<std::uint32_t> ec4_chunks;

    std::uint32_t last_store_time = 0;  // unix time, 0 = never
    std::uint32_t last_store_duration_ms = 0;
    std::uint8_t last_store_status = 0;
    std::uint8_t working_state = 0;  // 0xFF on community edition
    std::uint8_t next_state = 0;
    std::uint8_t stable_state = 0;
    std::uint8_t sync = 0;
    std::uint32_t leader_ip = 0;
    std::uint32_t state_change_time = 0;
    std::uint64_t meta_version = 0;
    std::optional<std::uint64_t> exports_checksum;

    // 4.x only.
    std::optional<std::uint64_t> metadata_id;
    std::optional<std::uint64_t> last_store_meta_version;
    std::optional<std::uint32_t> last_store_checksum;
    std::optional<std::uint64_t> chunk_copies;
    std::optional<std::uint64_t> ec8_parts;
    std::optional<std::uint64_t> ec4_parts;
    std::optional<std::uint64_t> hypothetical_copies;

    std::optional<std::uint64_t> usec_time;  // master clock, us since the epoch
    std::optional<std::uint32_t> last_changelog_time;
};

}  // namespace mfsmon::model
