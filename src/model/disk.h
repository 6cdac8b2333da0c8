// One disk (one line of mfshdd.cfg) of a chunkserver, as its CSTOCL_HDD_LIST answer describes
// it. Values are kept as sent: what they mean in a given state (used = scan progress while
// scanning, zeros on an invalid line) is said by the accessors, so a renderer never has to
// know the wire's tricks and never mistakes a percent for bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace mfsmon::model {

// I/O counters of one period. Times are in microseconds (the chunkserver sends its ns
// counters / 1000). The fsync fields stay 0 when the chunkserver sends the older form
// without them (Disk::has_fsync_stats).
struct DiskStats {
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t read_usec_sum = 0;
    std::uint64_t write_usec_sum = 0;
    std::uint64_t fsync_usec_sum = 0;
    std::uint32_t read_ops = 0;
    std::uint32_t write_ops = 0;
    std::uint32_t fsync_ops = 0;
    std::uint32_t read_usec_max = 0;
    std::uint32_t write_usec_max = 0;
    std::uint32_t fsync_usec_max = 0;
};

struct Disk {
    // Flag bits of the wire (CS_HDD_* in the chunkserver and mfscli).
    static constexpr std::uint8_t kMarkedForRemoval = 0x01;
    static constexpr std::uint8_t kDamaged = 0x02;
    static constexpr std::uint8_t kScanning = 0x04;
    static constexpr std::uint8_t kInvalid = 0x08;

    // As written in mfshdd.cfg, without the '*' / '<' / '>' / '~' prefix; paths over 255
    // bytes arrive as "(...)" + their last 250 bytes. Any byte can occur: renderers escape.
    std::string path;
    std::uint8_t flags = 0;

    // Last I/O error on this disk; both 0 when there was none.
    std::uint64_t error_chunk_id = 0;
    std::uint32_t error_time = 0;  // unix time, 0 = no error

    // Bytes as sent: used = total - available (the HDD_LEAVE_SPACE reserve counts as used;
    // with a size limit in mfshdd.cfg, total is the limit). While scanning, used carries the
    // scan progress in percent and total is 0: use scan_progress_percent() then.
    std::uint64_t used = 0;
    std::uint64_t total = 0;
    std::uint32_t chunks = 0;

    // False for the older 144-byte stats form, which has no fsync counters.
    bool has_fsync_stats = false;
    std::array<DiskStats, 3> stats{};  // wire order: last minute, last hour, last day

    bool marked_for_removal() const { return (flags & kMarkedForRemoval) != 0; }
    bool damaged() const { return (flags & kDamaged) != 0; }
    bool scanning() const { return (flags & kScanning) != 0; }
    // A config line with no usable folder: sent as damaged + invalid, every value 0.
    bool invalid() const { return (flags & kInvalid) != 0; }
    // mfscli prints "no errors" only when both are 0.
    bool has_error() const { return error_time != 0 || error_chunk_id != 0; }

    // While scanning, the progress the chunkserver reports (0..100). It computes a percent
    // of records read; a larger value can only come from a broken sender and is shown as
    // 100 rather than as thousands of percent.
    std::optional<unsigned> scan_progress_percent() const {
        if (!scanning()) return std::nullopt;
        return static_cast<unsigned>(std::min<std::uint64_t>(used, 100));
    }
};

}  // namespace mfsmon::model
