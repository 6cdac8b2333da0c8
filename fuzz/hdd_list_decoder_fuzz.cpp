// DecodeHddList on arbitrary CSTOCL_HDD_LIST payloads.
// Input: a 4-byte chunkserver version word encoded as INFO's (major:16 mid:8 minor_x2:8), then
// the payload. The decoder must return a value or an error, never crash. A value must come
// from entries that tile the payload exactly, each of one of the two sizes mfscli accepts,
// and every field must equal its own bytes; an error must be one line.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "model/disk.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/hdd_list_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/master_version.h"

namespace {

using mfsmon::model::Disk;
using mfsmon::model::DiskStats;
using mfsmon::model::Version;

// An independent big-endian cursor, so the checks do not share the decoder's reader.
struct Cursor {
    const std::uint8_t* p;
    std::uint64_t Take(int n) {
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | *p++;
        return v;
    }
};

void CheckStats(const DiskStats& s, Cursor& c, bool fsync) {
    FUZZ_CHECK(s.bytes_read == c.Take(8));
    FUZZ_CHECK(s.bytes_written == c.Take(8));
    FUZZ_CHECK(s.read_usec_sum == c.Take(8));
    FUZZ_CHECK(s.write_usec_sum == c.Take(8));
    FUZZ_CHECK(s.fsync_usec_sum == (fsync ? c.Take(8) : 0));
    FUZZ_CHECK(s.read_ops == c.Take(4));
    FUZZ_CHECK(s.write_ops == c.Take(4));
    FUZZ_CHECK(s.fsync_ops == (fsync ? c.Take(4) : 0));
    FUZZ_CHECK(s.read_usec_max == c.Take(4));
    FUZZ_CHECK(s.write_usec_max == c.Take(4));
    FUZZ_CHECK(s.fsync_usec_max == (fsync ? c.Take(4) : 0));
}

void CheckDisk(const Disk& d, const std::uint8_t* entry, std::size_t entry_size) {
    const std::size_t plen = entry[0];
    const bool fsync = entry_size == plen + 34 + 192;
    FUZZ_CHECK(fsync || entry_size == plen + 34 + 144);
    FUZZ_CHECK(d.has_fsync_stats == fsync);
    FUZZ_CHECK(d.path.size() == plen);
    for (std::size_t i = 0; i < plen; ++i) {
        FUZZ_CHECK(static_cast<std::uint8_t>(d.path[i]) == entry[1 + i]);
    }
    Cursor c{entry + 1 + plen};
    FUZZ_CHECK(d.flags == c.Take(1));
    FUZZ_CHECK(d.error_chunk_id == c.Take(8));
    FUZZ_CHECK(d.error_time == c.Take(4));
    FUZZ_CHECK(d.used == c.Take(8));
    FUZZ_CHECK(d.total == c.Take(8));
    FUZZ_CHECK(d.chunks == c.Take(4));
    for (const auto& s : d.stats) CheckStats(s, c, fsync);
    FUZZ_CHECK(c.p == entry + entry_size);

    // The accessors are the flag bits, and progress exists exactly while scanning.
    FUZZ_CHECK(d.marked_for_removal() == ((d.flags & 1) != 0));
    FUZZ_CHECK(d.damaged() == ((d.flags & 2) != 0));
    FUZZ_CHECK(d.scanning() == ((d.flags & 4) != 0));
    FUZZ_CHECK(d.invalid() == ((d.flags & 8) != 0));
    FUZZ_CHECK(d.has_error() == (d.error_time != 0 || d.error_chunk_id != 0));
    const auto progress = d.scan_progress_percent();
    FUZZ_CHECK(progress.has_value() == d.scanning());
    if (progress) FUZZ_CHECK(*progress <= 100 && (*progress == d.used || d.used > 100));
}

// The entries as the wire defines them, found independently of the decoder: entrysize:16,
// then entrysize bytes holding plen:8 and a plen-byte path, with entrysize = plen + 34 + 192
// or plen + 34 + 144, tiling the payload exactly; nullopt when the payload is not like that.
struct Entry {
    const std::uint8_t* bytes;
    std::size_t size;
};
std::optional<std::vector<Entry>> WellFormedEntries(std::span<const std::uint8_t> payload) {
    std::vector<Entry> entries;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        if (payload.size() - pos < 2) return std::nullopt;
        const std::size_t entry_size = (std::size_t{payload[pos]} << 8) | payload[pos + 1];
        if (entry_size == 0 || entry_size > payload.size() - pos - 2) return std::nullopt;
        const std::size_t plen = payload[pos + 2];
        if (entry_size != plen + 34 + 192 && entry_size != plen + 34 + 144) return std::nullopt;
        entries.push_back({payload.data() + pos + 2, entry_size});
        pos += 2 + entry_size;
    }
    return entries;
}

// mfscli asks every chunkserver newer than 1.6.8; nothing past 4.x is known.
bool KnownVersion(const Version& v) {
    return Version{1, 6, 9, false} <= v && v < Version{5, 0, 0, false};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = mfsmon::fuzz::ReadDecoderInput(data, size);
    if (!in) return 0;
    const Version chunkserver = in->version;
    auto out = mfsmon::protocol::DecodeHddList(in->payload, chunkserver);
    const auto entries = WellFormedEntries(in->payload);
    const bool known = KnownVersion(chunkserver);
    // The version gate is the layout table's (checked against this fuzzer's own idea of it).
    FUZZ_CHECK(known == mfsmon::protocol::FindLayout(mfsmon::protocol::Command::kHddList,
                                                     chunkserver, in->length())
                            .ok());
    if (!out) {
        // Refused only what is refusable: never a well-formed answer from a known version.
        FUZZ_CHECK(!known || !entries);
        mfsmon::fuzz::CheckDecodeError(out.error());
        return 0;
    }
    FUZZ_CHECK(known && entries);
    FUZZ_CHECK(out->size() == entries->size());
    for (std::size_t i = 0; i < entries->size(); ++i) {
        CheckDisk((*out)[i], (*entries)[i].bytes, (*entries)[i].size);
    }
    return 0;
}
