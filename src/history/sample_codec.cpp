#include "history/sample_codec.h"

#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <zlib.h>

namespace mfsmon::history {

namespace {

// "mT" (mfsmon trend), then the format version. A new layout gets a new version; old values
// are then refused as "unknown format" and skipped like damaged ones.
constexpr std::array<std::uint8_t, 2> kMagic = {0x6D, 0x54};
constexpr std::uint8_t kFormat = 1;
constexpr std::size_t kHeaderBytes = kMagic.size() + 1;
constexpr std::size_t kCrcBytes = 4;

constexpr std::size_t kMaxRowIndex = model::kMatrixSize - 1;
constexpr std::uint64_t kMaxStringBytes = kMaxSampleString;

// Bits of the flags varint; any other bit is refused, so that a value has one encoding.
constexpr std::uint64_t kHasLoopStart = 1;
constexpr std::uint64_t kHasLoopEnd = 2;
constexpr std::uint64_t kServersKnown = 4;
constexpr std::uint64_t kDisksKnown = 8;
constexpr std::uint64_t kSampleFlags = kHasLoopStart | kHasLoopEnd | kServersKnown | kDisksKnown;
constexpr std::uint64_t kConnected = 1;
constexpr std::uint64_t kMaintenance = 2;
constexpr std::uint64_t kServerFlags = kConnected | kMaintenance;

std::uint32_t Crc32(std::span<const std::uint8_t> bytes) {
    return static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), bytes.data(), static_cast<uInt>(bytes.size())));
}

class Writer {
  public:
    void Varint(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    // Zigzag: a small negative number stays short.
    void Signed(std::int64_t v) {
        Varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    void String(const std::string& s) {
        Varint(s.size());
        out_.insert(out_.end(), s.begin(), s.end());
    }
    void Counts(const model::ClassCounts& c) {
        for (std::uint64_t n : c.counts) Varint(n);
    }
    void Raw(std::span<const std::uint8_t> bytes) {
        out_.insert(out_.end(), bytes.begin(), bytes.end());
    }
    void Crc() {
        const std::uint32_t crc = Crc32(out_);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out_.push_back(static_cast<std::uint8_t>(crc >> shift));
        }
    }
    std::vector<std::uint8_t> Take() { return std::move(out_); }

  private:
    std::vector<std::uint8_t> out_;
};

// Reads the fields between the header and the CRC. The first failure is kept (with the part
// of the sample being read, for the message) and every later read returns 0.
class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> body) : body_(body) {}

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    std::size_t remaining() const { return body_.size() - pos_; }
    void Part(std::string_view part) { part_ = part; }

    void Fail(std::string message) {
        if (ok()) error_ = "sample: " + std::move(message);
    }

    std::uint64_t Varint() {
        std::uint64_t v = 0;
        for (int i = 0; ok(); ++i) {
            if (pos_ == body_.size()) {
                Fail(fmt::format("truncated in {}", part_));
                break;
            }
            const std::uint8_t b = body_[pos_++];
            // The 10th byte holds bit 63 only; a last byte of 0 after others is a longer
            // encoding of a shorter number. Both refused: one value, one encoding.
            if (i == 9 && b > 1) {
                Fail(fmt::format("varint over 64 bits in {}", part_));
                break;
            }
            v |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) Fail(fmt::format("overlong varint in {}", part_));
                break;
            }
        }
        return ok() ? v : 0;
    }

    // A varint of at most `max`; `what` names it in the error.
    std::uint64_t Bounded(std::uint64_t max, std::string_view what) {
        const std::uint64_t v = Varint();
        if (v > max) {
            Fail(fmt::format("{} {} is more than {}", what, v, max));
            return 0;
        }
        return v;
    }

    // A count of entries that follow, each at least one byte: more than the bytes left is
    // refused here, before anything is reserved for it.
    std::size_t Count(std::uint64_t max, std::string_view what) {
        const std::uint64_t n = Varint();
        if (!ok()) return 0;
        if (n > max) {
            Fail(fmt::format("{} {} is more than {}", n, what, max));
            return 0;
        }
        if (n > remaining()) {
            Fail(fmt::format("truncated in {}", part_));
            return 0;
        }
        return static_cast<std::size_t>(n);
    }

    std::int64_t Signed() {
        const std::uint64_t z = Varint();
        return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }

    std::string String(std::string_view what) {
        const std::uint64_t n = Varint();
        if (!ok()) return {};
        if (n > kMaxStringBytes) {
            Fail(fmt::format("{} of {} bytes is longer than {}", what, n, kMaxStringBytes));
            return {};
        }
        if (n > remaining()) {
            Fail(fmt::format("truncated in {}", part_));
            return {};
        }
        std::string s(reinterpret_cast<const char*>(body_.data() + pos_),
                      static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }

    model::ClassCounts Counts() {
        model::ClassCounts c;
        for (std::uint64_t& n : c.counts) n = Varint();
        return c;
    }

  private:
    std::span<const std::uint8_t> body_;
    std::size_t pos_ = 0;
    std::string_view part_ = "header";
    std::string error_;
};

constexpr std::uint64_t kU8 = std::numeric_limits<std::uint8_t>::max();
constexpr std::uint64_t kU16 = std::numeric_limits<std::uint16_t>::max();
constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();

void ReadRows(Reader& r, model::TrendSample& s) {
    r.Part("rows");
    s.rows.resize(r.Count(kMaxSampleRows, "rows"));
    for (model::RowCounts& row : s.rows) {
        row.row = static_cast<std::uint8_t>(r.Bounded(kMaxRowIndex, "row index"));
        row.all = r.Counts();
        row.regular = r.Counts();
    }
}

void ReadClasses(Reader& r, model::TrendSample& s) {
    r.Part("classes");
    s.classes.resize(r.Count(kMaxSampleClasses, "classes"));
    for (model::StorageClassCounts& c : s.classes) {
        c.class_id = static_cast<std::uint8_t>(r.Bounded(kU8, "class id"));
        c.all = r.Counts();
        c.regular = r.Counts();
    }
}

void ReadServers(Reader& r, model::TrendSample& s) {
    r.Part("servers");
    s.servers.resize(r.Count(kMaxSampleServers, "servers"));
    for (model::ServerSample& cs : s.servers) {
        cs.server = r.String("server name");
        cs.csid = static_cast<std::uint16_t>(r.Bounded(kU16, "csid"));
        const std::uint64_t flags = r.Varint();
        if (flags & ~kServerFlags) r.Fail(fmt::format("unknown server flags {:#x}", flags));
        cs.connected = (flags & kConnected) != 0;
        cs.maintenance = (flags & kMaintenance) != 0;
        cs.marked_chunks = static_cast<std::uint32_t>(r.Bounded(kU32, "marked chunks"));
        cs.mfr_status = static_cast<std::uint8_t>(r.Bounded(kU8, "removal status"));
    }
}

void ReadDisks(Reader& r, model::TrendSample& s) {
    r.Part("disks");
    s.marked_disks.resize(r.Count(kMaxSampleDisks, "disks"));
    for (model::MarkedDiskSample& d : s.marked_disks) {
        d.server = r.String("disk server name");
        d.path = r.String("disk path");
        d.chunks = static_cast<std::uint32_t>(r.Bounded(kU32, "disk chunks"));
    }
}

}  // namespace

std::vector<std::uint8_t> EncodeSample(const model::TrendSample& s) {
    Writer w;
    w.Raw(kMagic);
    w.Varint(kFormat);
    w.Signed(s.time_ms);
    w.Varint(s.metadata_id);
    w.Varint(s.matrix_progress);
    const std::uint64_t flags =
        (s.loop_start ? kHasLoopStart : 0) | (s.loop_end ? kHasLoopEnd : 0) |
        (s.servers_known ? kServersKnown : 0) | (s.disks_known ? kDisksKnown : 0);
    w.Varint(flags);
    if (s.loop_start) w.Varint(*s.loop_start);
    if (s.loop_end) w.Varint(*s.loop_end);

    w.Varint(s.rows.size());
    for (const model::RowCounts& row : s.rows) {
        w.Varint(row.row);
        w.Counts(row.all);
        w.Counts(row.regular);
    }
    w.Varint(s.classes.size());
    for (const model::StorageClassCounts& c : s.classes) {
        w.Varint(c.class_id);
        w.Counts(c.all);
        w.Counts(c.regular);
    }
    // The lists go in whether or not they were asked for, so that every sample round-trips.
    w.Varint(s.servers.size());
    for (const model::ServerSample& cs : s.servers) {
        w.String(cs.server);
        w.Varint(cs.csid);
        w.Varint((cs.connected ? kConnected : 0) | (cs.maintenance ? kMaintenance : 0));
        w.Varint(cs.marked_chunks);
        w.Varint(cs.mfr_status);
    }
    w.Varint(s.marked_disks.size());
    for (const model::MarkedDiskSample& d : s.marked_disks) {
        w.String(d.server);
        w.String(d.path);
        w.Varint(d.chunks);
    }
    w.Crc();
    return w.Take();
}

Result<model::TrendSample> DecodeSample(std::span<const std::uint8_t> bytes) {
    auto refuse = [](std::string what) {
        return MakeError(ErrorKind::kProtocol, "sample: " + std::move(what));
    };
    if (bytes.size() < kMagic.size() || bytes[0] != kMagic[0] || bytes[1] != kMagic[1]) {
        return refuse("bad magic");
    }
    if (bytes.size() < kHeaderBytes + kCrcBytes) return refuse("truncated in header");
    if (bytes[2] != kFormat) return refuse(fmt::format("unknown format {}", bytes[2]));
    const std::size_t body_end = bytes.size() - kCrcBytes;
    std::uint32_t stored = 0;
    for (std::size_t i = body_end; i < bytes.size(); ++i) stored = (stored << 8) | bytes[i];
    if (Crc32(bytes.first(body_end)) != stored) return refuse("checksum mismatch");

    Reader r(bytes.subspan(kHeaderBytes, body_end - kHeaderBytes));
    model::TrendSample s;
    r.Part("header");
    s.time_ms = r.Signed();
    s.metadata_id = r.Varint();
    s.matrix_progress = static_cast<std::uint8_t>(r.Bounded(kU8, "matrix progress"));
    const std::uint64_t flags = r.Varint();
    if (flags & ~kSampleFlags) r.Fail(fmt::format("unknown flags {:#x}", flags));
    r.Part("chunk loop");
    if (flags & kHasLoopStart)
        s.loop_start = static_cast<std::uint32_t>(r.Bounded(kU32, "loop start"));
    if (flags & kHasLoopEnd) s.loop_end = static_cast<std::uint32_t>(r.Bounded(kU32, "loop end"));
    s.servers_known = (flags & kServersKnown) != 0;
    s.disks_known = (flags & kDisksKnown) != 0;
    ReadRows(r, s);
    ReadClasses(r, s);
    ReadServers(r, s);
    ReadDisks(r, s);
    if (r.ok() && r.remaining() != 0) {
        r.Fail(fmt::format("{} trailing byte{}", r.remaining(), r.remaining() == 1 ? "" : "s"));
    }
    if (!r.ok()) return MakeError(ErrorKind::kProtocol, r.error());
    return s;
}

}  // namespace mfsmon::history
