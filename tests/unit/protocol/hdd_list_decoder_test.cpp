// DecodeHddList against every recorded CSTOCL_HDD_LIST answer (one per connected chunkserver
// per -SHD run), compared disk by disk and field by field with what the same mfscli run
// printed (3.0.117 `-n -p` "disks:" lines, 4.59.2 `-j` dataset.disks). The chunkserver's
// version and its mfrstatus come from the CSERV_LIST answer recorded before, in the same
// folder, as mfscli (and mfsmon) take them; a small local reader does that here so these tests
// do not depend on the CSERV_LIST decoder. Then synthetic answers for what no recording has.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/disk.h"
#include "model/version.h"
#include "protocol/command_ids.h"
#include "protocol/hdd_list_decoder.h"
#include "protocol/master_version.h"

namespace mfsmon::test {
namespace {

namespace fs = std::filesystem;
using model::Disk;
using model::DiskStats;
using model::Version;
using protocol::DecodeHddList;
using protocol::kCstoclHddList;
using protocol::kMatoclCservList;

// One answer per connected chunkserver per -SHD run (no -SHD in missing-files).
// 3.0.117: healthy 6, cs-killed 5, maintenance 5, three-killed 3, settling 6,
// marked-for-removal 6, no-metalogger 6. 4.59.2: 7, 6, 6, 4, 7, 7, 7.
constexpr std::size_t kV3HddAnswers = 37;
constexpr std::size_t kV4HddAnswers = 44;

[[noreturn]] void Fail(const std::string& what) {
    throw std::runtime_error(what);
}

// --- the recordings: the chunkservers' answers (FindChunkserverAnswers) -----------------------

std::vector<RecordedAnswer> FindHddAnswers(std::string_view version) {
    return FindChunkserverAnswers(version, kCstoclHddList);
}

// "cs198.18.0.10_9424" -> {"198.18.0.10", 9424}
std::pair<std::string, std::uint16_t> PeerAddress(const std::string& peer) {
    const auto sep = peer.rfind('_');
    if (!peer.starts_with("cs") || sep == std::string::npos) Fail("bad peer name " + peer);
    return {peer.substr(2, sep - 2), static_cast<std::uint16_t>(ParseU64(peer.substr(sep + 1)))};
}

// --- the chunkserver list recorded before the disk answers ----------------------------------

struct ServerEntry {
    std::string ip;
    std::uint16_t port = 0;
    std::uint8_t flags = 0;  // bit0: disconnected
    Version version;
    std::uint8_t mfrstatus = 0;
};

// The CSERV_LIST answer of the same folder, read just far enough for these tests. 3.0.117:
// 69-byte entries (ip at 4, port at 8, mfrstatus at 68); 4.59.2, mode 1: 77-byte entries
// (original ip at 4, ip at 8, port at 12, mfrstatus at 72). Both start with flags:8 major:8
// mid:8 minor_x2:8.
std::vector<ServerEntry> ReadServers(const RecordedAnswer& rec) {
    const auto answers = MasterAnswersIn(rec.option_dir, kMatoclCservList);
    if (answers.size() != 1 || answers[0].sequence > rec.file.sequence) {
        Fail("expected one CSERV_LIST answer before " + rec.Label());
    }
    const auto payload = ReadPacket(answers[0].path).payload;
    const bool v3 = rec.version == kV3;
    const std::size_t size = v3 ? 69 : 77;
    const std::size_t ip_at = v3 ? 4 : 8;
    const std::size_t port_at = v3 ? 8 : 12;
    const std::size_t mfr_at = v3 ? 68 : 72;
    if (payload.empty() || payload.size() % size != 0) {
        Fail(fmt::format("{}: {} bytes is not N x {}", answers[0].path.string(), payload.size(),
                         size));
    }
    std::vector<ServerEntry> out;
    for (std::size_t at = 0; at < payload.size(); at += size) {
        const std::uint8_t* e = payload.data() + at;
        ServerEntry s;
        s.flags = e[0];
        s.version = protocol::VersionFromWire(e[1], e[2], e[3]);
        s.ip = fmt::format("{}.{}.{}.{}", e[ip_at], e[ip_at + 1], e[ip_at + 2], e[ip_at + 3]);
        s.port = static_cast<std::uint16_t>((e[port_at] << 8) | e[port_at + 1]);
        s.mfrstatus = e[mfr_at];
        out.push_back(s);
    }
    return out;
}

// The entry of the chunkserver that sent `rec`.
ServerEntry ServerOf(const RecordedAnswer& rec) {
    const auto [ip, port] = PeerAddress(rec.file.peer);
    std::optional<ServerEntry> found;
    for (const auto& s : ReadServers(rec)) {
        if (s.ip != ip || s.port != port) continue;
        if (found) Fail(fmt::format("{}:{} listed twice before {}", ip, port, rec.Label()));
        found = s;
    }
    if (!found)
        Fail(fmt::format("{}:{} is not in the CSERV_LIST before {}", ip, port, rec.Label()));
    return *found;
}

// --- what mfscli computes from a disk --------------------------------------------------------

// mfscli's derived I/O values for one period (the same code in 3.0.117 and 4.59.2). Python
// integers do not overflow, so the products are taken in 128 bits.
struct DerivedIo {
    std::uint64_t rbw = 0;
    std::uint64_t wbw = 0;
    std::uint64_t read_avg = 0;
    std::uint64_t write_avg = 0;
    std::uint64_t fsync_avg = 0;
};

std::uint64_t Fit64(unsigned __int128 v) {
    if (v > UINT64_MAX) Fail("derived value beyond 64 bits");
    return static_cast<std::uint64_t>(v);
}

DerivedIo Derive(const DiskStats& s) {
    using U128 = unsigned __int128;
    DerivedIo d;
    if (s.read_usec_sum > 0) d.rbw = Fit64(U128{s.bytes_read} * 1000000 / s.read_usec_sum);
    const U128 write_time = U128{s.write_usec_sum} + s.fsync_usec_sum;
    if (write_time > 0) d.wbw = Fit64(U128{s.bytes_written} * 1000000 / write_time);
    if (s.read_ops > 0) d.read_avg = s.read_usec_sum / s.read_ops;
    if (s.write_ops > 0) d.write_avg = s.write_usec_sum / s.write_ops;
    if (s.fsync_ops > 0) d.fsync_avg = s.fsync_usec_sum / s.fsync_ops;
    return d;
}

std::string Join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += out.empty() ? w : ", " + w;
    return out;
}

// mfscli 3.0.117's status column; the marked-for-removal wording takes the server's
// mfrstatus from CSERV_LIST.
std::string StatusText3(const Disk& d, std::uint8_t mfrstatus) {
    std::vector<std::string> words;
    if (d.invalid()) words.push_back("invalid");
    if (d.damaged() && !d.scanning() && !d.invalid()) words.push_back("damaged");
    if (d.marked_for_removal()) {
        words.push_back(mfrstatus == 1   ? "marked for removal (not ready)"
                        : mfrstatus == 2 ? "marked for removal (ready)"
                                         : "marked for removal");
    }
    if (d.scanning()) words.push_back("scanning");
    if (d.flags == 0) words.push_back("ok");
    return Join(words);
}

// mfscli 4.59.2's HDD.get_statuslist().
std::vector<std::string> StatusList4(const Disk& d, std::uint8_t mfrstatus) {
    std::vector<std::string> words;
    if (d.invalid()) words.push_back("invalid");
    if (d.damaged() && !d.scanning() && !d.invalid()) words.push_back("damaged");
    if (d.marked_for_removal()) {
        words.push_back(mfrstatus == 0   ? "removal not ready (validating)"
                        : mfrstatus == 1 ? "removal not ready (in progress)"
                        : mfrstatus == 2 ? "removal ready"
                                         : "removal not ready (unrecognized status)");
    }
    if (d.scanning()) words.push_back("scanning");
    if (d.flags == 0) words.push_back(d.has_error() ? "ok (errors)" : "ok");
    return words;
}

// --- 3.0.117: `mfscli -n -p -SHD` ------------------------------------------------------------

// One "disks:" line: title, ip:port:path, chunks, last error, status, then 8 I/O columns of
// the last minute with max times (the defaults: HDperiod 0, HDtime 0), then used and total
// ("progress:" and the percent while scanning).
void CheckRow3(const Disk& d, const std::vector<std::string>& f, std::uint8_t mfrstatus) {
    ASSERT_EQ(f.size(), 15u);
    EXPECT_FIELD_EQ(ParseU64(f[2]), d.chunks);
    EXPECT_FIELD_EQ(f[3], d.has_error() ? std::to_string(d.error_time) : "no errors");
    EXPECT_FIELD_EQ(f[4], StatusText3(d, mfrstatus));

    const DiskStats& s = d.stats[0];
    const DerivedIo io = Derive(s);
    const bool idle = io.rbw == 0 && io.wbw == 0 && s.read_usec_max == 0 && s.write_usec_max == 0 &&
                      s.fsync_usec_max == 0 && s.read_ops == 0 && s.write_ops == 0;
    if (idle) {
        for (std::size_t i = 5; i <= 12; ++i) EXPECT_FIELD_EQ(f[i], "-");
    } else {
        EXPECT_FIELD_EQ(ParseU64(f[5]), io.rbw);
        EXPECT_FIELD_EQ(ParseU64(f[6]), io.wbw);
        EXPECT_FIELD_EQ(ParseU64(f[7]), s.read_usec_max);
        EXPECT_FIELD_EQ(ParseU64(f[8]), s.write_usec_max);
        EXPECT_FIELD_EQ(ParseU64(f[9]), s.fsync_usec_max);
        EXPECT_FIELD_EQ(ParseU64(f[10]), s.read_ops);
        EXPECT_FIELD_EQ(ParseU64(f[11]), s.write_ops);
        EXPECT_FIELD_EQ(ParseU64(f[12]), s.fsync_ops);
    }
    if (d.scanning()) {
        EXPECT_FIELD_EQ(f[13], "progress:");
        EXPECT_FIELD_EQ(ParseU64(f[14]), d.used);
    } else {
        EXPECT_FIELD_EQ(ParseU64(f[13]), d.used);
        EXPECT_FIELD_EQ(ParseU64(f[14]), d.total);
    }
}

void CheckV3(const RecordedAnswer& rec, const ServerEntry& server, const std::vector<Disk>& disks) {
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    const std::string prefix = fmt::format("{}:{}:", server.ip, server.port);
    std::size_t printed = 0;
    for (const auto& row : text.Table("disks:")) {
        if (row.size() > 1 && row[1].starts_with(prefix)) ++printed;
    }
    EXPECT_FIELD_EQ(printed, disks.size());
    for (const auto& d : disks) {
        SCOPED_TRACE(d.path);
        std::size_t matched = 0;
        for (const auto& row : text.Table("disks:")) {
            if (row.size() < 2 || row[1] != prefix + d.path) continue;
            ++matched;
            CheckRow3(d, row, server.mfrstatus);
        }
        // The path is compared through this match (mfscli prints ip:port:path).
        EXPECT_FIELD_EQ(matched, 1u);
    }
}

// --- 4.59.2: `mfscli -j -SHD` ----------------------------------------------------------------

const std::set<std::string> kJsonStatsKeys = {"rbw",
                                              "wbw",
                                              "read_avg_usec",
                                              "write_avg_usec",
                                              "fsync_avg_usec",
                                              "read_max_usec",
                                              "write_max_usec",
                                              "fsync_max_usec",
                                              "read_ops",
                                              "write_ops",
                                              "fsync_ops",
                                              "read_bytes",
                                              "write_bytes"};

void CheckStats4(const DiskStats& s, const nlohmann::json& j) {
    const DerivedIo io = Derive(s);
    EXPECT_FIELD_EQ(j.at("rbw").get<std::uint64_t>(), io.rbw);
    EXPECT_FIELD_EQ(j.at("wbw").get<std::uint64_t>(), io.wbw);
    EXPECT_FIELD_EQ(j.at("read_avg_usec").get<std::uint64_t>(), io.read_avg);
    EXPECT_FIELD_EQ(j.at("write_avg_usec").get<std::uint64_t>(), io.write_avg);
    EXPECT_FIELD_EQ(j.at("fsync_avg_usec").get<std::uint64_t>(), io.fsync_avg);
    EXPECT_FIELD_EQ(j.at("read_max_usec").get<std::uint32_t>(), s.read_usec_max);
    EXPECT_FIELD_EQ(j.at("write_max_usec").get<std::uint32_t>(), s.write_usec_max);
    EXPECT_FIELD_EQ(j.at("fsync_max_usec").get<std::uint32_t>(), s.fsync_usec_max);
    EXPECT_FIELD_EQ(j.at("read_ops").get<std::uint32_t>(), s.read_ops);
    EXPECT_FIELD_EQ(j.at("write_ops").get<std::uint32_t>(), s.write_ops);
    EXPECT_FIELD_EQ(j.at("fsync_ops").get<std::uint32_t>(), s.fsync_ops);
    EXPECT_FIELD_EQ(j.at("read_bytes").get<std::uint64_t>(), s.bytes_read);
    EXPECT_FIELD_EQ(j.at("write_bytes").get<std::uint64_t>(), s.bytes_written);
    for (const auto& [key, value] : j.items()) {
        EXPECT_TRUE(kJsonStatsKeys.count(key)) << "stats key " << key << " is not checked";
    }
}

// Keys checked below, and keys that do not come from this packet: hostname and
// hostname_path are DNS (equal to ip here), *_human are mfscli's rounding of used/total.
const std::set<std::string> kJsonDiskKeys = {"path",
                                             "ip_path",
                                             "chunks",
                                             "flags",
                                             "status",
                                             "status_str",
                                             "last_error_time",
                                             "last_error_time_str",
                                             "last_error_chunkid",
                                             "scan_progress",
                                             "used",
                                             "total",
                                             "used_percent",
                                             "stats_min",
                                             "stats_hour",
                                             "stats_day",
                                             "ip",
                                             "port",
                                             "mfrstatus",
                                             "hostname",
                                             "hostname_path",
                                             "used_human",
                                             "total_human"};

void CheckDisk4(const Disk& d, const nlohmann::json& j, const ServerEntry& server) {
    EXPECT_FIELD_EQ(j.at("path").get<std::string>(), d.path);
    EXPECT_FIELD_EQ(j.at("ip_path").get<std::string>(),
                    fmt::format("{}:{}:{}", server.ip, server.port, d.path));
    EXPECT_FIELD_EQ(j.at("chunks").get<std::uint32_t>(), d.chunks);
    EXPECT_FIELD_EQ(j.at("flags").get<std::uint32_t>(), d.flags);
    const auto status = StatusList4(d, server.mfrstatus);
    EXPECT_FIELD_EQ(j.at("status").get<std::vector<std::string>>(), status);
    EXPECT_FIELD_EQ(j.at("status_str").get<std::string>(), Join(status));
    EXPECT_FIELD_EQ(j.at("last_error_time").get<std::uint32_t>(), d.error_time);
    EXPECT_FIELD_EQ(j.at("last_error_chunkid").get<std::uint64_t>(), d.error_chunk_id);
    // With an error this is time.asctime() in the recording host's zone: not compared.
    if (!d.has_error()) {
        EXPECT_FIELD_EQ(j.at("last_error_time_str").get<std::string>(), "no errors");
    }
    if (const auto progress = d.scan_progress_percent()) {
        EXPECT_FIELD_EQ(j.at("scan_progress").get<std::uint64_t>(), *progress);
        EXPECT_TRUE(j.at("used").is_null());
        EXPECT_TRUE(j.at("total").is_null());
    } else {
        EXPECT_FIELD_EQ(j.at("scan_progress").get<double>(), 100.0);
        EXPECT_FIELD_EQ(j.at("used").get<std::uint64_t>(), d.used);
        EXPECT_FIELD_EQ(j.at("total").get<std::uint64_t>(), d.total);
        // The same double arithmetic as Python's (used*100.0)/total, so exact.
        const double percent =
            d.total > 0 ? static_cast<double>(d.used) * 100.0 / static_cast<double>(d.total) : 0.0;
        EXPECT_FIELD_EQ(j.at("used_percent").get<double>(), percent);
    }
    const char* periods[] = {"stats_min", "stats_hour", "stats_day"};
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(periods[i]);
        CheckStats4(d.stats[i], j.at(periods[i]));
    }
    // From CSERV_LIST, not from this packet: only a check that the right server was found.
    EXPECT_EQ(j.at("ip").get<std::string>(), server.ip);
    EXPECT_EQ(j.at("port").get<std::uint16_t>(), server.port);
    EXPECT_EQ(j.at("mfrstatus").get<std::uint32_t>(), server.mfrstatus);
    for (const auto& [key, value] : j.items()) {
        EXPECT_TRUE(kJsonDiskKeys.count(key))
            << "mfscli printed disk key " << key << ", which this test does not check";
    }
}

void CheckV4(const RecordedAnswer& rec, const ServerEntry& server, const std::vector<Disk>& disks) {
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    EXPECT_TRUE(json.at("errors").empty()) << json.at("errors").dump();
    const auto& all = json.at("dataset").at("disks");
    std::size_t printed = 0;
    for (const auto& j : all) {
        if (j.at("ip").get<std::string>() == server.ip &&
            j.at("port").get<std::uint16_t>() == server.port) {
            ++printed;
        }
    }
    EXPECT_FIELD_EQ(printed, disks.size());
    for (const auto& d : disks) {
        SCOPED_TRACE(d.path);
        std::size_t matched = 0;
        for (const auto& j : all) {
            if (j.at("ip").get<std::string>() != server.ip ||
                j.at("port").get<std::uint16_t>() != server.port ||
                j.at("path").get<std::string>() != d.path) {
                continue;
            }
            ++matched;
            CheckDisk4(d, j, server);
        }
        EXPECT_FIELD_EQ(matched, 1u);
    }
}

// --- every recorded answer -------------------------------------------------------------------

TEST(HddRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectChunkserverAnswersMatchManifest(kV3, kCstoclHddList, kV3HddAnswers);
    ExpectChunkserverAnswersMatchManifest(kV4, kCstoclHddList, kV4HddAnswers);
}

// Per -SHD run: the servers asked are exactly the connected ones of CSERV_LIST, and mfscli
// printed exactly the disks their answers hold.
TEST(HddRecordings, EveryRunAskedEveryConnectedServerAndPrintedEveryDisk) {
    for (const auto version : {kV3, kV4}) {
        std::map<fs::path, std::vector<RecordedAnswer>> runs;
        for (const auto& rec : FindHddAnswers(version)) runs[rec.option_dir].push_back(rec);
        ASSERT_EQ(runs.size(), 7u) << version;
        for (const auto& [dir, answers] : runs) {
            SCOPED_TRACE(dir.string());
            std::set<std::pair<std::string, std::uint16_t>> asked;
            std::size_t disks = 0;
            for (const auto& rec : answers) {
                asked.insert(PeerAddress(rec.file.peer));
                const auto decoded =
                    DecodeHddList(ReadPacket(rec.file.path).payload, ServerOf(rec).version);
                ASSERT_TRUE(decoded.ok()) << decoded.error().message;
                disks += decoded->size();
            }
            std::set<std::pair<std::string, std::uint16_t>> connected;
            for (const auto& s : ReadServers(answers.front())) {
                if ((s.flags & 1) == 0) connected.insert({s.ip, s.port});
            }
            EXPECT_EQ(asked, connected);
            const std::size_t printed =
                version == kV3
                    ? ReadMfscliText(dir / "mfscli.txt").Table("disks:").size()
                    : ReadMfscliJson(dir / "mfscli.json").at("dataset").at("disks").size();
            EXPECT_FIELD_EQ(printed, disks);
        }
    }
}

class RecordedHddList : public ::testing::TestWithParam<RecordedAnswer> {};

TEST_P(RecordedHddList, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    const Packet packet = ReadPacket(rec.file.path);
    ASSERT_EQ(packet.type, kCstoclHddList);
    const ServerEntry server = ServerOf(rec);
    // The lab ran one version throughout; the chunkserver's is what the decoder is given.
    EXPECT_EQ(server.version.ToString(), rec.version);
    EXPECT_EQ(server.flags & 1, 0) << "a disconnected server was asked";
    const auto disks = DecodeHddList(packet.payload, server.version);
    ASSERT_TRUE(disks.ok()) << disks.error().message;
    ASSERT_FALSE(disks->empty());
    for (const auto& d : *disks) {
        // Both versions sent the 3 x 64-byte stats form (layouts note section 4).
        EXPECT_TRUE(d.has_fsync_stats) << d.path;
    }
    if (rec.version == kV3) {
        CheckV3(rec, server, *disks);
    } else {
        CheckV4(rec, server, *disks);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedHddList, FindChunkserverAnswersOrEmpty, kCstoclHddList);

// --- synthetic answers -----------------------------------------------------------------------

// Big-endian writes into a buffer sized up front (GCC 12 at -O3 reports false out-of-bounds
// writes for byte vectors grown by push_back/insert, which -Werror turns into a failed build).
struct Writer {
    std::vector<std::uint8_t> out;
    std::size_t at = 0;

    explicit Writer(std::size_t size) : out(size, 0) {}
    void Put(std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) out.at(at++) = static_cast<std::uint8_t>(v >> (8 * i));
    }
    void Bytes(const std::string& s) {
        for (char c : s) out.at(at++) = static_cast<std::uint8_t>(c);
    }
};

// One entry as a chunkserver writes it (hddspacemgr.c hdd_diskinfo_data), with knobs to break
// the sizes.
struct EntrySpec {
    std::string path = "/mnt/hdd/";
    std::uint8_t flags = 0;
    std::uint64_t error_chunk_id = 0;
    std::uint32_t error_time = 0;
    std::uint64_t used = 0;
    std::uint64_t total = 0;
    std::uint32_t chunks = 0;
    std::array<DiskStats, 3> stats{};
    bool fsync = true;                        // 3 x 64 stats, else the older 3 x 48
    std::optional<std::uint16_t> entry_size;  // default: what the fields take
    std::optional<std::uint8_t> path_length;  // default: path.size()
};

std::vector<std::uint8_t> Encode(const EntrySpec& e) {
    const std::size_t body = 1 + e.path.size() + 33 + 3 * (e.fsync ? 64 : 48);
    Writer w(2 + body);
    w.Put(e.entry_size.value_or(static_cast<std::uint16_t>(body)), 2);
    w.Put(e.path_length.value_or(static_cast<std::uint8_t>(e.path.size())), 1);
    w.Bytes(e.path);
    w.Put(e.flags, 1);
    w.Put(e.error_chunk_id, 8);
    w.Put(e.error_time, 4);
    w.Put(e.used, 8);
    w.Put(e.total, 8);
    w.Put(e.chunks, 4);
    for (const auto& s : e.stats) {
        w.Put(s.bytes_read, 8);
        w.Put(s.bytes_written, 8);
        w.Put(s.read_usec_sum, 8);
        w.Put(s.write_usec_sum, 8);
        if (e.fsync) w.Put(s.fsync_usec_sum, 8);
        w.Put(s.read_ops, 4);
        w.Put(s.write_ops, 4);
        if (e.fsync) w.Put(s.fsync_ops, 4);
        w.Put(s.read_usec_max, 4);
        w.Put(s.write_usec_max, 4);
        if (e.fsync) w.Put(s.fsync_usec_max, 4);
    }
    return std::move(w.out);
}

std::vector<std::uint8_t> Concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
    std::size_t size = 0;
    for (const auto& p : parts) size += p.size();
    Writer w(size);
    for (const auto& p : parts) {
        for (std::uint8_t b : p) w.Put(b, 1);
    }
    return std::move(w.out);
}

// Every field a different value, so that two swapped fields cannot pass.
DiskStats DistinctStats(std::uint64_t base) {
    DiskStats s;
    s.bytes_read = base + 0x0102030405060708;
    s.bytes_written = base + 0x1112131415161718;
    s.read_usec_sum = base + 0x2122232425262728;
    s.write_usec_sum = base + 0x3132333435363738;
    s.fsync_usec_sum = base + 0x4142434445464748;
    s.read_ops = static_cast<std::uint32_t>(base + 0x51525354);
    s.write_ops = static_cast<std::uint32_t>(base + 0x61626364);
    s.fsync_ops = static_cast<std::uint32_t>(base + 0x71727374);
    s.read_usec_max = static_cast<std::uint32_t>(base + 0x81828384);
    s.write_usec_max = static_cast<std::uint32_t>(base + 0x91929394);
    s.fsync_usec_max = static_cast<std::uint32_t>(base + 0xA1A2A3A4);
    return s;
}

void ExpectSameStats(const DiskStats& a, const DiskStats& b) {
    EXPECT_FIELD_EQ(a.bytes_read, b.bytes_read);
    EXPECT_FIELD_EQ(a.bytes_written, b.bytes_written);
    EXPECT_FIELD_EQ(a.read_usec_sum, b.read_usec_sum);
    EXPECT_FIELD_EQ(a.write_usec_sum, b.write_usec_sum);
    EXPECT_FIELD_EQ(a.fsync_usec_sum, b.fsync_usec_sum);
    EXPECT_FIELD_EQ(a.read_ops, b.read_ops);
    EXPECT_FIELD_EQ(a.write_ops, b.write_ops);
    EXPECT_FIELD_EQ(a.fsync_ops, b.fsync_ops);
    EXPECT_FIELD_EQ(a.read_usec_max, b.read_usec_max);
    EXPECT_FIELD_EQ(a.write_usec_max, b.write_usec_max);
    EXPECT_FIELD_EQ(a.fsync_usec_max, b.fsync_usec_max);
}

// True when `r` is an error; then also checks that it is a one-line kProtocol message naming
// the answer.
bool IsOneLineProtocolError(const Result<std::vector<Disk>>& r) {
    if (r.ok()) {
        ADD_FAILURE() << "decoded " << r->size() << " disk(s)";
        return false;
    }
    EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    EXPECT_FALSE(r.error().message.empty());
    EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("CSTOCL_HDD_LIST"), std::string::npos) << r.error().message;
    return true;
}

std::vector<std::uint8_t> RealHddPayload(std::string_view version) {
    const auto answers = FindHddAnswers(version);
    if (answers.empty()) Fail("no recorded HDD_LIST answer");
    return ReadPacket(answers.front().file.path).payload;
}

TEST(HddListDecoder, EmptyAnswerIsAChunkserverWithNoDisks) {
    for (const auto& version : {kVersion3, kVersion4}) {
        const auto r = DecodeHddList({}, version);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_TRUE(r->empty());
    }
}

TEST(HddListDecoder, EveryFieldComesFromItsOwnBytes) {
    EntrySpec e;
    e.path = "/srv/mfs/hdd1/";
    e.flags = Disk::kDamaged;
    e.error_chunk_id = 0x00000000DEADBEEF;
    e.error_time = 1700000000;
    e.used = 0x0000000400000001;
    e.total = 0x0000001800000002;
    e.chunks = 123456;
    e.stats = {DistinctStats(0), DistinctStats(1), DistinctStats(2)};
    const auto r = DecodeHddList(Encode(e), kVersion4);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    const Disk& d = r->front();
    EXPECT_FIELD_EQ(d.path, e.path);
    EXPECT_FIELD_EQ(d.flags, e.flags);
    EXPECT_FIELD_EQ(d.error_chunk_id, e.error_chunk_id);
    EXPECT_FIELD_EQ(d.error_time, e.error_time);
    EXPECT_FIELD_EQ(d.used, e.used);
    EXPECT_FIELD_EQ(d.total, e.total);
    EXPECT_FIELD_EQ(d.chunks, e.chunks);
    EXPECT_TRUE(d.has_fsync_stats);
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        ExpectSameStats(d.stats[i], e.stats[i]);
    }
    EXPECT_TRUE(d.damaged());
    EXPECT_FALSE(d.marked_for_removal());
    EXPECT_FALSE(d.scanning());
    EXPECT_FALSE(d.invalid());
    EXPECT_TRUE(d.has_error());
    EXPECT_FALSE(d.scan_progress_percent().has_value());
}

// The 144-byte stats form (no fsync counters) that mfscli still accepts.
TEST(HddListDecoder, OlderStatsFormWithoutFsync) {
    EntrySpec e;
    e.fsync = false;
    e.used = 1000;
    e.total = 5000;
    e.chunks = 7;
    e.stats = {DistinctStats(0), DistinctStats(10), DistinctStats(20)};
    const auto bytes = Encode(e);
    ASSERT_EQ(bytes.size(), 2 + e.path.size() + 34 + 144);
    const auto r = DecodeHddList(bytes, kVersion3);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    const Disk& d = r->front();
    EXPECT_FALSE(d.has_fsync_stats);
    EXPECT_FIELD_EQ(d.used, 1000u);
    EXPECT_FIELD_EQ(d.total, 5000u);
    EXPECT_FIELD_EQ(d.chunks, 7u);
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        DiskStats expected = e.stats[i];
        expected.fsync_usec_sum = 0;
        expected.fsync_ops = 0;
        expected.fsync_usec_max = 0;
        ExpectSameStats(d.stats[i], expected);
    }
}

// A config line with no usable folder: flags 0x0A (damaged + invalid), zeros after
// (hdd_diskinfo_data's `f == NULL` branch).
TEST(HddListDecoder, InvalidConfigLine) {
    const std::string path = "/no/such/folder/";
    Writer w(2 + path.size() + 34 + 192);  // zero-filled
    w.Put(path.size() + 34 + 192, 2);
    w.Put(path.size(), 1);
    w.Bytes(path);
    w.Put(0x0A, 1);
    const auto r = DecodeHddList(w.out, kVersion4);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    const Disk& d = r->front();
    EXPECT_FIELD_EQ(d.path, path);
    EXPECT_FIELD_EQ(d.flags, 0x0Au);
    EXPECT_TRUE(d.invalid());
    EXPECT_TRUE(d.damaged());
    EXPECT_FALSE(d.scanning());
    EXPECT_FALSE(d.marked_for_removal());
    EXPECT_FALSE(d.has_error());
    EXPECT_FIELD_EQ(d.used, 0u);
    EXPECT_FIELD_EQ(d.total, 0u);
    EXPECT_FIELD_EQ(d.chunks, 0u);
    // mfscli shows "invalid" alone: damaged is implied.
    EXPECT_FIELD_EQ(StatusText3(d, 0), "invalid");
    EXPECT_FIELD_EQ(Join(StatusList4(d, 0)), "invalid");
}

TEST(HddListDecoder, ScanningDiskCarriesProgressInUsed) {
    EntrySpec e;
    e.flags = Disk::kScanning;
    e.used = 37;
    e.total = 0;
    const auto r = DecodeHddList(Encode(e), kVersion4);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Disk& d = r->front();
    EXPECT_TRUE(d.scanning());
    ASSERT_TRUE(d.scan_progress_percent().has_value());
    EXPECT_FIELD_EQ(*d.scan_progress_percent(), 37u);
    EXPECT_FIELD_EQ(d.used, 37u);  // kept as sent
    EXPECT_FIELD_EQ(StatusText3(d, 0), "scanning");

    // A scan of a marked disk, and a progress no scan can have (shown as 100, kept raw).
    e.flags = Disk::kScanning | Disk::kMarkedForRemoval;
    e.used = 0xFFFFFFFFFFFF;
    const auto r2 = DecodeHddList(Encode(e), kVersion4);
    ASSERT_TRUE(r2.ok()) << r2.error().message;
    EXPECT_FIELD_EQ(r2->front().scan_progress_percent().value_or(0), 100u);
    EXPECT_FIELD_EQ(r2->front().used, 0xFFFFFFFFFFFFu);
    EXPECT_FIELD_EQ(Join(StatusList4(r2->front(), 2)), "removal ready, scanning");
}

TEST(HddListDecoder, PathOf255BytesOfAnyValue) {
    EntrySpec e;
    e.path.clear();
    for (int i = 0; i < 255; ++i) e.path.push_back(static_cast<char>(i));  // NUL, \n, 0x80..
    e.chunks = 1;
    const auto bytes = Encode(e);
    ASSERT_EQ(bytes.size(), 2u + 255 + 34 + 192);
    const auto r = DecodeHddList(bytes, kVersion3);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_FIELD_EQ(r->front().path.size(), 255u);
    EXPECT_FIELD_EQ(r->front().path, e.path);
    EXPECT_FIELD_EQ(r->front().chunks, 1u);

    // An empty path (plen 0) is a well-formed entry too.
    e.path.clear();
    const auto r0 = DecodeHddList(Encode(e), kVersion3);
    ASSERT_TRUE(r0.ok()) << r0.error().message;
    EXPECT_TRUE(r0->front().path.empty());
}

TEST(HddListDecoder, EntriesTileTheAnswerInOrder) {
    EntrySpec a;
    a.path = "/a/";
    a.chunks = 1;
    EntrySpec b;
    b.path = "/bb/";
    b.chunks = 2;
    b.fsync = false;  // mixed forms: each entry says its own size
    EntrySpec c;
    c.path = "/ccc/";
    c.chunks = 3;
    const auto r = DecodeHddList(Concat({Encode(a), Encode(b), Encode(c)}), kVersion4);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->size(), 3u);
    EXPECT_FIELD_EQ((*r)[0].path, "/a/");
    EXPECT_FIELD_EQ((*r)[1].path, "/bb/");
    EXPECT_FIELD_EQ((*r)[2].path, "/ccc/");
    EXPECT_FIELD_EQ((*r)[2].chunks, 3u);
    EXPECT_FALSE((*r)[1].has_fsync_stats);
    EXPECT_TRUE((*r)[2].has_fsync_stats);
}

TEST(HddListDecoder, EveryTruncationOfARecordedAnswerIsAnError) {
    for (const auto version : {kV3, kV4}) {
        SCOPED_TRACE(std::string(version));
        const auto payload = RealHddPayload(version);
        const Version cs = version == kV3 ? kVersion3 : kVersion4;
        ASSERT_TRUE(DecodeHddList(payload, cs).ok());
        for (std::size_t n = 1; n < payload.size(); ++n) {
            SCOPED_TRACE(n);
            const auto r = DecodeHddList(std::span(payload).first(n), cs);
            if (IsOneLineProtocolError(r)) {
                EXPECT_TRUE(MentionsAll(r.error(), {"entry 0", cs.ToString()}))
                    << r.error().message;
            }
        }
    }
}

TEST(HddListDecoder, TwoEntriesCutAtTheBoundaryIsOneDisk) {
    EntrySpec a;
    a.path = "/a/";
    const auto first = Encode(a);
    const auto both = Concat({first, Encode(a)});
    for (std::size_t n = 1; n < both.size(); ++n) {
        const auto r = DecodeHddList(std::span(both).first(n), kVersion4);
        if (n == first.size()) {
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(r->size(), 1u);
        } else {
            SCOPED_TRACE(n);
            if (IsOneLineProtocolError(r) && n > first.size()) {
                EXPECT_TRUE(MentionsAll(r.error(), {"entry 1"})) << r.error().message;
            }
        }
    }
}

TEST(HddListDecoder, EntryRunningPastTheEnd) {
    EntrySpec a;
    auto bytes = Encode(a);
    bytes[0] = 0x01;  // entry size 256 + 226 + 9 > what follows
    const auto r = DecodeHddList(bytes, kVersion4);
    ASSERT_TRUE(IsOneLineProtocolError(r));
    EXPECT_TRUE(MentionsAll(r.error(), {"entry 0", "runs past the end", "491"}))
        << r.error().message;
}

TEST(HddListDecoder, EntrySizeDisagreeingWithPathLength) {
    EntrySpec good;
    const std::size_t plen = good.path.size();
    for (const std::size_t size :
         {plen + 225, plen + 227, plen + 34 + 143, plen + 34 + 145, plen + 34, std::size_t{1}}) {
        SCOPED_TRACE(size);
        EntrySpec bad = good;
        bad.entry_size = static_cast<std::uint16_t>(size);
        // The entry's bytes are all there (cut or zero-padded): only the size is wrong.
        const auto encoded = Encode(bad);
        std::vector<std::uint8_t> second(2 + size, 0);
        for (std::size_t i = 0; i < second.size() && i < encoded.size(); ++i) {
            second[i] = encoded[i];
        }
        const auto r = DecodeHddList(Concat({Encode(good), second}), kVersion4);
        if (IsOneLineProtocolError(r)) {
            EXPECT_TRUE(MentionsAll(r.error(), {"entry 1"})) << r.error().message;
            if (size > plen) {
                EXPECT_TRUE(MentionsAll(
                    r.error(), {fmt::format("entry size {}", size), std::to_string(plen + 226),
                                std::to_string(plen + 178)}))
                    << r.error().message;
            }
        }
    }
}

TEST(HddListDecoder, PathLengthPastTheEntry) {
    EntrySpec e;
    e.entry_size = 100;   // of the 235 bytes that follow
    e.path_length = 200;  // more than the entry holds
    const auto r = DecodeHddList(Encode(e), kVersion4);
    ASSERT_TRUE(IsOneLineProtocolError(r));
    EXPECT_TRUE(MentionsAll(r.error(), {"entry 0", "path length 200"})) << r.error().message;

    std::vector<std::uint8_t> zero = {0x00, 0x00};  // entry size 0: not even a path length
    const auto r0 = DecodeHddList(zero, kVersion4);
    ASSERT_TRUE(IsOneLineProtocolError(r0));
    EXPECT_TRUE(MentionsAll(r0.error(), {"entry 0", "entry size 0"})) << r0.error().message;
}

TEST(HddListDecoder, OneStrayByteAfterTheLastEntry) {
    const auto r = DecodeHddList(Concat({Encode(EntrySpec{}), {0}}), kVersion4);
    ASSERT_TRUE(IsOneLineProtocolError(r));
    EXPECT_TRUE(MentionsAll(r.error(), {"entry 1", "1 byte left"})) << r.error().message;
}

// The layout table is keyed by the chunkserver's version: mfscli does not ask servers up to
// 1.6.8, and nothing past 4.x is known.
TEST(HddListDecoder, ChunkserverVersionGate) {
    const auto payload = RealHddPayload(kV4);
    EXPECT_TRUE(DecodeHddList(payload, Version{1, 6, 9, false}).ok());
    for (const auto& [version, shown] : {std::pair{Version{1, 6, 8, false}, "1.6.8"},
                                         std::pair{Version{5, 0, 0, false}, "5.0.0"}}) {
        SCOPED_TRACE(shown);
        const auto r = DecodeHddList(payload, version);
        ASSERT_TRUE(IsOneLineProtocolError(r));
        EXPECT_TRUE(MentionsAll(r.error(), {"chunkserver", shown})) << r.error().message;
        // The gate comes first, even for an answer that would not decode.
        const auto bad = DecodeHddList(std::span(payload).first(3), version);
        ASSERT_TRUE(IsOneLineProtocolError(bad));
        EXPECT_TRUE(MentionsAll(bad.error(), {shown})) << bad.error().message;
    }
}

}  // namespace
}  // namespace mfsmon::test
