#include "protocol/hdd_list_decoder.h"

#include <string>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

namespace {

// Bytes of an entry after entrysize: plen:8, the path, flags:8 errchunkid:64 errtime:32
// used:64 total:64 chunks:32 (34 with plen), then 3 stats blocks (minute, hour, day).
constexpr std::size_t kFixedBytes = 34;
constexpr std::size_t kStatsWithFsync = 3 * 64;  // 5 x 64-bit sums + 6 x 32-bit counters
constexpr std::size_t kStatsNoFsync = 3 * 48;    // before fsync: 4 x 64-bit + 4 x 32-bit

model::DiskStats ReadStats(ByteReader& r, bool with_fsync) {
    model::DiskStats s;
    s.bytes_read = r.U64();
    s.bytes_written = r.U64();
    s.read_usec_sum = r.U64();
    s.write_usec_sum = r.U64();
    if (with_fsync) s.fsync_usec_sum = r.U64();
    s.read_ops = r.U32();
    s.write_ops = r.U32();
    if (with_fsync) s.fsync_ops = r.U32();
    s.read_usec_max = r.U32();
    s.write_usec_max = r.U32();
    if (with_fsync) s.fsync_usec_max = r.U32();
    return s;
}

// Same shape as the other record decoders' messages: what, from whom, which entry, why.
Error EntryError(std::size_t length, const model::Version& chunkserver, std::size_t index,
                 std::size_t offset, const std::string& what) {
    return MakeError(
        ErrorKind::kProtocol,
        fmt::format("{} answer of {} bytes from chunkserver {}: entry {} at byte {}: {}",
                    AnswerName(Command::kHddList), length, chunkserver.ToString(), index, offset,
                    what));
}

}  // namespace

Result<std::vector<model::Disk>> DecodeHddList(std::span<const std::uint8_t> payload,
                                               const model::Version& chunkserver) {
    // kRecords: the table only gates the version; the entries below say their own sizes.
    auto layout = FindLayout(Command::kHddList, chunkserver, RequestForm::kEmpty,
                             static_cast<std::uint32_t>(payload.size()));
    if (!layout) return layout.error();

    std::vector<model::Disk> disks;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        const std::size_t index = disks.size();
        const std::size_t left = payload.size() - pos;
        if (left < 2) {
            return EntryError(payload.size(), chunkserver, index, pos,
                              fmt::format("{} byte left, too short for an entry size", left));
        }
        const std::size_t entry_size = (std::size_t{payload[pos]} << 8) | payload[pos + 1];
        if (entry_size > left - 2) {
            return EntryError(payload.size(), chunkserver, index, pos,
                              fmt::format("entry size {} runs past the end of the answer "
                                          "({} bytes left)",
                                          entry_size, left - 2));
        }
        const auto entry = payload.subspan(pos + 2, entry_size);
        if (entry.empty()) {
            return EntryError(payload.size(), chunkserver, index, pos,
                              "entry size 0 leaves no path length");
        }
        const std::size_t plen = entry[0];
        if (1 + plen > entry_size) {
            return EntryError(
                payload.size(), chunkserver, index, pos,
                fmt::format("path length {} runs past the entry of {} bytes", plen, entry_size));
        }
        // mfscli reads the stats only when the size is one of these two and silently shows
        // zeros otherwise; we refuse, because zeros would read as "idle disk".
        bool with_fsync = false;
        if (entry_size == plen + kFixedBytes + kStatsWithFsync) {
            with_fsync = true;
        } else if (entry_size != plen + kFixedBytes + kStatsNoFsync) {
            return EntryError(payload.size(), chunkserver, index, pos,
                              fmt::format("entry size {} is neither {} (stats with fsync) nor "
                                          "{} (without fsync) for a path of {} bytes",
                                          entry_size, plen + kFixedBytes + kStatsWithFsync,
                                          plen + kFixedBytes + kStatsNoFsync, plen));
        }

        model::Disk d;
        d.path.assign(reinterpret_cast<const char*>(entry.data() + 1), plen);
        ByteReader r(entry.subspan(1 + plen));
        d.flags = r.U8();
        d.error_chunk_id = r.U64();
        d.error_time = r.U32();
        d.used = r.U64();
        d.total = r.U64();
        d.chunks = r.U32();
        d.has_fsync_stats = with_fsync;
        for (auto& s : d.stats) s = ReadStats(r, with_fsync);
        if (!r.ok() || r.remaining() != 0) {
            // Unreachable while the sizes above match the reads; kept so that a slip there is
            // an error value, not a silently wrong disk.
            return EntryError(payload.size(), chunkserver, index, pos, "internal layout mismatch");
        }
        disks.push_back(std::move(d));
        pos += 2 + entry_size;
    }
    return disks;
}

}  // namespace mfsmon::protocol
