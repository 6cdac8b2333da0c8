// One chunkserver as the master lists it (MATOCL_CSERV_LIST): the master's view, from the
// server's last periodic report. Disconnected servers stay in the list (for
// CS_DAYS_TO_REMOVE_UNUSED days, or until removed with -CRC) with version 0.0.0 and every
// counter 0; only their address, id and flags are meaningful.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/ipv4.h"
#include "model/version.h"

namespace mfsmon::model {

// What the master says about the server's queue, from `gracetime` (mfscli's queue_state).
enum class QueueState {
    kNormal,
    kOverloaded,     // 0xC0000000: heavy load; the master sends it no new work
    kRebalance,      // 0x80000000: internal (low-speed) disk rebalance
    kFastRebalance,  // 0x40000000: high-speed internal rebalance (masters 4.37+)
    kGrace,          // any other non-zero value: seconds left of the heavy-load grace period
};

// Flag bits: the top byte of the entry's version word.
inline constexpr std::uint8_t kCsFlagDisconnected = 0x01;
inline constexpr std::uint8_t kCsFlagMaintenance = 0x02;
inline constexpr std::uint8_t kCsFlagTemporaryMaintenance = 0x04;  // set together with 0x02

// mfr_status: may the disks marked for removal be taken out? The master sends it for every
// server, marked disks or not (4.59.2 healthy: 2 everywhere), so it means something only
// while td_chunks > 0, which is also the only time mfscli shows it.
inline constexpr std::uint8_t kMfrValidating = 0;  // 3.x mfscli: "PENDING"; 4.x: "VALIDATING"
inline constexpr std::uint8_t kMfrInProgress = 1;  // "NOT READY": copies still being made
inline constexpr std::uint8_t kMfrReady = 2;       // "READY": safe to remove

// maintenance_timeout when no timeout runs: maintenance off, or on without a time limit
// (the flags tell the two apart). 0 is a timed maintenance that has already run out.
inline constexpr std::uint32_t kNoMaintenanceTimeout = 0xFFFFFFFF;

struct ChunkServer {
    std::uint8_t flags = 0;
    Version version;  // 0.0.0 when disconnected
    // The address to connect to (on 4.x the master maps it for the asking client's network,
    // MFS multi-LAN), and on 4.26+ also the address the server registered with. The master
    // keys servers by original_ip; mfscli prints "original -> ip" when they differ.
    std::uint32_t ip = 0;
    std::optional<std::uint32_t> original_ip;  // 73- and 77-byte entries (4.26+)
    std::uint16_t port = 0;                    // client port (mfscli -SHD connects here)
    std::uint16_t csid = 0;
    // Disks in use; bytes and chunks.
    std::uint64_t used = 0;
    std::uint64_t total = 0;
    std::uint32_t chunks = 0;
    // Disks marked for removal ('*' in mfshdd.cfg).
    std::uint64_t td_used = 0;
    std::uint64_t td_total = 0;
    std::uint32_t td_chunks = 0;
    std::uint32_t errors = 0;
    std::uint32_t load = 0;       // current chunk operations (mfscli "load" / "queue")
    std::uint32_t gracetime = 0;  // raw; see queue_state()
    std::uint32_t labelmask = 0;  // bit i = label 'A' + i; 0 and 0xFFFFFFFF both mean none
    std::uint8_t mfr_status = 0;  // kMfr*
    std::optional<std::uint32_t> maintenance_timeout;  // 77-byte entries (4.35+, mode 1)
    // Whether the master that sent this entry knows the fast-rebalance state: it came in
    // 4.37 ("separate high speed rebalance status from classic overloaded status"). mfscli
    // 3.0.117 has no such state and shows 0x40000000..0x7FFFFFFF as grace seconds, so we do
    // the same for older masters. Set by the decoder.
    bool fast_rebalance_known = false;

    bool connected() const { return (flags & kCsFlagDisconnected) == 0; }
    bool maintenance() const { return (flags & kCsFlagMaintenance) != 0; }
    bool temporary_maintenance() const { return (flags & kCsFlagTemporaryMaintenance) != 0; }

    // As both mfscli versions read gracetime: by range, highest first, so that a value with
    // low bits set still falls into its state.
    QueueState queue_state() const {
        if (gracetime >= 0xC0000000u) return QueueState::kOverloaded;
        if (gracetime >= 0x80000000u) return QueueState::kRebalance;
        if (gracetime >= 0x40000000u && fast_rebalance_known) return QueueState::kFastRebalance;
        if (gracetime > 0) return QueueState::kGrace;
        return QueueState::kNormal;
    }
};

// "198.18.0.10:9422": the address mfscli -SHD connects to, and how mfsmon names a server.
inline std::string ChunkServerName(const ChunkServer& cs) {
    return Ipv4Text(cs.ip) + ":" + std::to_string(cs.port);
}

}  // namespace mfsmon::model
