// One history sample: what a check remembers of the cluster at one moment so that a later run
// can tell whether recovery is getting better or worse, how fast, and when it will be done.
// Built from a snapshot (history/sample_from_snapshot.h), stored by the history store
// (history/history_store.h), read by the estimator (trend/). Only counts and identities are
// kept, never paths of files: a sample is small (a healthy cluster's is under 100 bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/chunk_matrix.h"

namespace mfsmon::model {

// The chunk classes of one matrix row (3.x: goal; 4.x: redundancy level + 1), counted in the
// all-copies matrix and in the regular matrix (copies on disks marked for removal left out).
struct RowCounts {
    std::uint8_t row = 0;  // 0..10
    ClassCounts all;
    ClassCounts regular;

    bool operator==(const RowCounts&) const = default;
};

// The same, summed over one storage class's chunks (4.44+ per-class matrices).
struct StorageClassCounts {
    std::uint8_t class_id = 0;
    ClassCounts all;
    ClassCounts regular;

    bool operator==(const StorageClassCounts&) const = default;
};

// A chunkserver as far as an evacuation is concerned.
struct ServerSample {
    std::string server;  // "198.18.0.10:9422" (model::ChunkServerName)
    std::uint16_t csid = 0;
    bool connected = false;
    bool maintenance = false;
    std::uint32_t marked_chunks = 0;  // chunks on its disks marked for removal (td_chunks)
    std::uint8_t mfr_status = 0;      // kMfrValidating / kMfrInProgress / kMfrReady

    bool operator==(const ServerSample&) const = default;
};

// A disk marked for removal, when the disks were asked (check disks, check health).
struct MarkedDiskSample {
    std::string server;  // as ServerSample::server
    std::string path;    // as the chunkserver sent it
    std::uint32_t chunks = 0;

    bool operator==(const MarkedDiskSample&) const = default;
};

struct TrendSample {
    std::int64_t time_ms = 0;  // our wall clock, ms since the epoch

    // Identity: a different cluster behind the same address has another metadata id; 0 when
    // the master did not say (it then never matches a stored series but its own).
    std::uint64_t metadata_id = 0;
    // The master's progress byte: non-zero while its counters are being recomputed after a
    // (dis)connection, when the matrix counts are not to be trusted.
    std::uint8_t matrix_progress = 0;

    std::vector<RowCounts> rows;  // rows with at least one chunk, ascending
    // Per storage class (4.44+ masters, when the check asked for them); empty otherwise.
    std::vector<StorageClassCounts> classes;

    // The master's chunk loop: its last complete pass (unix seconds); absent when not asked
    // or when no pass has finished since the master started.
    std::optional<std::uint32_t> loop_start;
    std::optional<std::uint32_t> loop_end;

    // Chunkservers, when the check asked for them (servers_known); every listed server.
    bool servers_known = false;
    std::vector<ServerSample> servers;
    // Disks marked for removal, when the check asked every chunkserver (disks_known).
    bool disks_known = false;
    std::vector<MarkedDiskSample> marked_disks;

    bool operator==(const TrendSample&) const = default;
};

}  // namespace mfsmon::model
