// DecodeCservList against every recorded MATOCL_CSERV_LIST answer, compared server by server
// and field by field with what the same mfscli run printed: -SCS prints the list itself
// (3.0.117 `-n -p` text, 4.59.2 `-j` JSON); -SHD prints the disks of the servers it asked, so
// there the list is checked against whom mfscli asked and against the disks' totals and
// removal status. The master version comes from the INFO answer recorded before the list on
// the same connection, and the request form from the CLTOMA_CSERV_LIST mfscli sent, as mfsmon
// does. Byte offsets are checked separately on synthetic entries, because the recordings hold
// 0 in errors, load, gracetime and labelmask and the same address in ip and original_ip.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/chunkserver.h"
#include "model/ipv4.h"
#include "protocol/command_ids.h"
#include "protocol/cserv_list_decoder.h"
#include "protocol/layout_table.h"

namespace mfsmon::test {
namespace {

using model::ChunkServer;
using model::QueueState;
using model::Version;
using protocol::Command;
using protocol::DecodeCservList;
using protocol::kCltocsHddList;
using protocol::kMatoclCservList;
using protocol::Layout;
using protocol::RequestForm;

// -SCS and -SHD each ask for the list, in the 7 states before missing-files (which recorded
// neither), in both versions.
constexpr std::size_t kV3CservAnswers = 7 + 7;
constexpr std::size_t kV4CservAnswers = 7 + 7;

// --- helpers -----------------------------------------------------------------------------------

// The form of the last CLTOMA_CSERV_LIST mfscli sent before `rec`.
RequestForm FormSent(const RecordedAnswer& rec) {
    return FormOfRequest(RequestPayloadBefore(rec), {RequestForm::kEmpty, RequestForm::kMode1});
}

std::size_t EntrySize(const RecordedAnswer& rec) {
    return rec.version == kV3 ? 69 : 77;
}

// The healthy -SCS answer of a version, with the master version and form it was read with.
struct RealAnswer {
    std::vector<std::uint8_t> payload;
    Version master;
    RequestForm form;
};
RealAnswer RealCservAnswer(std::string_view version, std::string_view state = "healthy") {
    return {OnlyMasterAnswerPayload(version, state, "SCS", kMatoclCservList),
            version == kV3 ? kVersion3 : kVersion4,
            version == kV3 ? RequestForm::kEmpty : RequestForm::kMode1};
}

// mfscli's label text: letters for bits 0..25; 0 and 0xFFFFFFFF mean none.
std::vector<std::string> Labels(std::uint32_t mask) {
    std::vector<std::string> out;
    if (mask == 0 || mask == 0xFFFFFFFF) return out;
    for (int bit = 0; bit < 26; ++bit) {
        if (mask & (1u << bit)) out.push_back(std::string(1, static_cast<char>('A' + bit)));
    }
    return out;
}
std::string Join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
    return out;
}

// --- 3.0.117: mfscli -n -p ---------------------------------------------------------------------

// 3.0.117 mfscli's load column: gracetime >= 0xC0000000 "<load>", >= 0x80000000 "(load)",
// other non-zero "[load]" (it has no fast-rebalance state), else the plain load.
std::string LoadText3(const ChunkServer& cs) {
    const auto load = std::to_string(cs.load);
    switch (cs.queue_state()) {
        case QueueState::kOverloaded:
            return "<" + load + ">";
        case QueueState::kRebalance:
            return "(" + load + ")";
        case QueueState::kGrace:
            return "[" + load + "]";
        case QueueState::kNormal:
            return load;
        case QueueState::kFastRebalance:
            break;
    }
    ADD_FAILURE() << "fast rebalance from a 3.x master";
    return "?";
}

// Its maintenance column; the temporary state is spelt differently in the two tables.
std::string MaintenanceText3(const ChunkServer& cs, bool disconnected_table) {
    if (!cs.maintenance()) return "maintenance_off";
    if (!cs.temporary_maintenance()) return "maintenance_on";
    return disconnected_table ? "maintenance_temp_on" : "maintenance_tmp_on";
}

std::string MfrText3(const ChunkServer& cs) {
    if (cs.td_chunks == 0) return "-";
    if (cs.mfr_status == model::kMfrInProgress) return "NOT READY";
    if (cs.mfr_status == model::kMfrReady) return "READY";
    return "PENDING";
}

std::map<std::string, const ChunkServer*> ByName(const std::vector<ChunkServer>& servers) {
    std::map<std::string, const ChunkServer*> out;
    for (const auto& cs : servers) {
        if (!out.emplace(model::ChunkServerName(cs), &cs).second) {
            ADD_FAILURE() << model::ChunkServerName(cs) << " listed twice";
        }
    }
    return out;
}

void CheckScsText(const RecordedAnswer& rec, const std::vector<ChunkServer>& servers) {
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    const auto by_name = ByName(servers);
    std::set<std::string> seen;
    std::size_t connected = 0;
    for (const auto& cs : servers) connected += cs.connected() ? 1 : 0;
    EXPECT_FIELD_EQ(text.Table("chunk servers:").size(), connected);
    EXPECT_FIELD_EQ(text.Table("Disconnected chunk servers:").size(), servers.size() - connected);

    for (const auto& f : text.rows) {
        const bool disconnected_table = f[0] == "Disconnected chunk servers:";
        if (!disconnected_table && f[0] != "chunk servers:") {
            ADD_FAILURE() << "unexpected line '" << f[0] << "' in " << text.path.string();
            continue;
        }
        ASSERT_EQ(f.size(), disconnected_table ? 5u : 15u) << text.path.string();
        // -n: the host column is the address.
        const std::string name = f[1] + ":" + f[2];
        SCOPED_TRACE(name);
        const auto it = by_name.find(name);
        ASSERT_NE(it, by_name.end()) << "mfscli printed a server that was not decoded";
        ASSERT_TRUE(seen.insert(name).second) << "mfscli printed it twice";
        const ChunkServer& cs = *it->second;
        EXPECT_FIELD_EQ(cs.connected(), !disconnected_table);
        EXPECT_FIELD_EQ(model::Ipv4Text(cs.ip), f[1]);
        EXPECT_FIELD_EQ(cs.port, ParseU64(f[2]));
        EXPECT_FIELD_EQ(cs.csid, ParseU64(f[3]));
        EXPECT_FALSE(cs.original_ip.has_value());
        EXPECT_FALSE(cs.maintenance_timeout.has_value());
        if (disconnected_table) {
            EXPECT_FIELD_EQ(MaintenanceText3(cs, true), f[4]);
            continue;
        }
        const auto labels = Labels(cs.labelmask);
        EXPECT_FIELD_EQ(labels.empty() ? "-" : Join(labels), f[4]);
        EXPECT_FIELD_EQ(cs.version.ToString(), f[5]);
        EXPECT_FIELD_EQ(LoadText3(cs), f[6]);
        EXPECT_FIELD_EQ(MaintenanceText3(cs, false), f[7]);
        EXPECT_FIELD_EQ(cs.chunks, ParseU64(f[8]));
        EXPECT_FIELD_EQ(cs.used, ParseU64(f[9]));
        EXPECT_FIELD_EQ(cs.total, ParseU64(f[10]));
        EXPECT_FIELD_EQ(MfrText3(cs), f[11]);
        EXPECT_FIELD_EQ(cs.td_chunks, ParseU64(f[12]));
        EXPECT_FIELD_EQ(cs.td_used, ParseU64(f[13]));
        EXPECT_FIELD_EQ(cs.td_total, ParseU64(f[14]));
    }
    EXPECT_EQ(seen.size(), servers.size()) << "decoded servers mfscli did not print";
}

// --- 4.59.2: mfscli -j -------------------------------------------------------------------------

// mfscli 4.59.2's "ip": the address to connect to, after the registered one when they differ.
std::string IpText4(const ChunkServer& cs) {
    const auto ip = model::Ipv4Text(cs.ip);
    if (!cs.original_ip || *cs.original_ip == cs.ip) return ip;
    return model::Ipv4Text(*cs.original_ip) + " -> " + ip;
}

std::string MaintenanceMode4(const ChunkServer& cs) {
    if (!cs.maintenance() && !cs.temporary_maintenance()) return "off";
    return cs.temporary_maintenance() ? "on (temp)" : "on";
}

std::string MaintenanceTimeout4(const ChunkServer& cs) {
    if (!cs.maintenance() && !cs.temporary_maintenance()) return "n/a";
    if (!cs.maintenance_timeout) return "unknown";
    if (*cs.maintenance_timeout == model::kNoMaintenanceTimeout) return "permanent";
    return std::to_string(*cs.maintenance_timeout) + " seconds left";
}

// mfscli 4.59.2's queue_state number (CS_LOAD_*) and its lower-cased message.
int QueueCode4(QueueState s) {
    switch (s) {
        case QueueState::kNormal:
            return 0;
        case QueueState::kOverloaded:
            return 1;
        case QueueState::kRebalance:
            return 2;
        case QueueState::kFastRebalance:
            return 3;
        case QueueState::kGrace:
            return 4;
    }
    return -1;
}
std::string QueueMessage4(const ChunkServer& cs) {
    switch (cs.queue_state()) {
        case QueueState::kNormal:
            return "normal load";
        case QueueState::kOverloaded:
            return "overloaded";
        case QueueState::kRebalance:
            return "rebalancing";
        case QueueState::kFastRebalance:
            return "fast rebalancing";
        case QueueState::kGrace:
            return std::to_string(cs.gracetime) + " secs graceful";
    }
    return "?";
}

std::string MfrText4(const ChunkServer& cs) {
    if (cs.td_chunks == 0) return "-";
    if (cs.mfr_status == model::kMfrInProgress) return "NOT READY (IN PROGRESS)";
    if (cs.mfr_status == model::kMfrReady) return "READY";
    return "NOT READY (VALIDATING)";
}

// mfscli computes the percentage in Python floats, which are IEEE doubles as here, and prints
// them with repr(), which reads back to the same double: exact comparison is right.
double Percent(std::uint64_t used, std::uint64_t total) {
    return total > 0 ? static_cast<double>(used) * 100.0 / static_cast<double>(total) : 0.0;
}

std::int64_t Free(std::uint64_t used, std::uint64_t total) {
    return static_cast<std::int64_t>(total) - static_cast<std::int64_t>(used);
}

// Compares one JSON object key by key and fails on any key it did not look at.
class JsonEntry {
  public:
    explicit JsonEntry(const nlohmann::json& j) : j_(j) {}
    ~JsonEntry() {
        for (const auto& [key, value] : j_.items()) {
            if (!looked_at_.count(key)) {
                ADD_FAILURE() << "mfscli printed " << key << ", which this test does not check";
            }
        }
    }
    // A decoded value: counted.
    template <typename T>
    void Field(const std::string& key, const T& decoded) {
        looked_at_.insert(key);
        ASSERT_TRUE(j_.contains(key)) << key;
        // Compared as JSON values (numbers by value, whatever their JSON type) and shown as
        // JSON text: GoogleTest would print a json value as a container, element by element.
        const nlohmann::json want(decoded);
        CountComparison();
        EXPECT_TRUE(want == j_.at(key))
            << key << ": decoded " << want.dump() << ", mfscli printed " << j_.at(key).dump();
    }
    // What mfscli writes for every disconnected server, whatever the bytes: not counted.
    void Fixed(const std::string& key, const nlohmann::json& value) {
        looked_at_.insert(key);
        ASSERT_TRUE(j_.contains(key)) << key;
        EXPECT_TRUE(j_.at(key) == value)
            << key << ": expected " << value.dump() << ", mfscli printed " << j_.at(key).dump();
    }
    // mfscli's humanize_number() of a number compared on its own key.
    void Derived(const std::string& key) { looked_at_.insert(key); }

  private:
    const nlohmann::json& j_;
    std::set<std::string> looked_at_;
};

void CheckConnectedJson(JsonEntry& e, const ChunkServer& cs) {
    e.Field("connected", true);
    e.Field("strver", cs.version.ToString());
    e.Field("version", Version{cs.version.major, cs.version.mid, cs.version.minor}.ToString());
    e.Field("pro", cs.version.pro);
    e.Field("errors", cs.errors);
    e.Field("gracetime", cs.gracetime);
    e.Field("load", cs.load);
    e.Field("queue", cs.load);
    e.Field("queue_state", QueueCode4(cs.queue_state()));
    e.Field("queue_state_msg", QueueMessage4(cs));
    const auto labels = Labels(cs.labelmask);
    e.Field("labels", labels);
    e.Field("labels_str", Join(labels));
    e.Field("hdd_regular_used", cs.used);
    e.Field("hdd_regular_total", cs.total);
    e.Field("hdd_regular_free", Free(cs.used, cs.total));
    e.Field("hdd_regular_used_percent", Percent(cs.used, cs.total));
    e.Field("hdd_regular_chunks", cs.chunks);
    e.Field("hdd_removal_used", cs.td_used);
    e.Field("hdd_removal_total", cs.td_total);
    e.Field("hdd_removal_free", Free(cs.td_used, cs.td_total));
    e.Field("hdd_removal_used_percent", Percent(cs.td_used, cs.td_total));
    e.Field("hdd_removal_chunks", cs.td_chunks);
    e.Field("hdd_removal_stat", MfrText4(cs));
    for (const char* k :
         {"hdd_regular_used_human", "hdd_regular_total_human", "hdd_regular_free_human",
          "hdd_removal_used_human", "hdd_removal_total_human", "hdd_removal_free_human"}) {
        e.Derived(k);
    }
}

void CheckDisconnectedJson(JsonEntry& e) {
    e.Field("connected", false);
    const nlohmann::json null;
    for (const char* k :
         {"strver", "version", "pro", "errors", "load", "queue", "hdd_regular_used",
          "hdd_regular_total", "hdd_regular_free", "hdd_regular_chunks", "hdd_removal_used",
          "hdd_removal_total", "hdd_removal_free", "hdd_removal_chunks", "hdd_removal_stat"}) {
        e.Fixed(k, null);
    }
    for (const char* k :
         {"hdd_regular_used_human", "hdd_regular_total_human", "hdd_regular_free_human",
          "hdd_removal_used_human", "hdd_removal_total_human", "hdd_removal_free_human"}) {
        e.Fixed(k, "");
    }
    e.Fixed("queue_state", "not available");
    e.Fixed("queue_cgi", "not available");
    e.Fixed("labels", nlohmann::json::array());
    e.Fixed("labels_str", "not available");
    e.Fixed("hdd_regular_used_percent", 0.0);
    e.Fixed("hdd_removal_used_percent", 0.0);
}

void CheckScsJson(const RecordedAnswer& rec, const std::vector<ChunkServer>& servers) {
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    EXPECT_TRUE(json.at("errors").empty());
    const auto& dataset = json.at("dataset");
    EXPECT_EQ(dataset.size(), 1u) << "mfscli printed more than the chunkserver list";
    const auto& list = dataset.at("chunkservers");
    EXPECT_FIELD_EQ(list.size(), servers.size());

    std::map<std::string, const ChunkServer*> by_ip_port;
    for (const auto& cs : servers) by_ip_port[IpText4(cs) + ":" + std::to_string(cs.port)] = &cs;
    std::set<std::string> seen;
    for (const auto& item : list) {
        const std::string name = item.at("ip").get<std::string>() + ":" +
                                 std::to_string(item.at("port").get<std::uint32_t>());
        SCOPED_TRACE(name);
        const auto it = by_ip_port.find(name);
        ASSERT_NE(it, by_ip_port.end()) << "mfscli printed a server that was not decoded";
        ASSERT_TRUE(seen.insert(name).second) << "mfscli printed it twice";
        const ChunkServer& cs = *it->second;
        ASSERT_TRUE(cs.original_ip.has_value());
        ASSERT_TRUE(cs.maintenance_timeout.has_value());
        EXPECT_TRUE(cs.fast_rebalance_known);

        JsonEntry e(item);
        e.Field("flags", cs.flags);
        e.Field("maintenance_mode", MaintenanceMode4(cs));
        e.Field("maintenance_mode_timeout", MaintenanceTimeout4(cs));
        e.Field("hostname", model::Ipv4Text(cs.ip));  // -n
        e.Field("ip", IpText4(cs));
        e.Field("port", cs.port);
        e.Field("csid", cs.csid);
        if (cs.connected()) {
            CheckConnectedJson(e, cs);
        } else {
            CheckDisconnectedJson(e);
        }
    }
    EXPECT_EQ(seen.size(), servers.size()) << "decoded servers mfscli did not print";
}

// --- -SHD: whom mfscli asked, and the disks they reported ------------------------------------

// One disk as mfscli printed it, reduced to what the master's list also says.
struct DiskLine {
    std::string server;  // "198.18.0.10:9422"
    bool marked = false;
    bool scanning = false;  // total is then 0 and used the scan progress
    std::uint64_t total = 0;
};

// 3.0.117 "disks:" lines: ip:port:path, chunks, last error, status, 8 I/O stats, then used
// and total (or "progress:" and the percentage while scanning).
std::vector<DiskLine> DisksFromText(const MfscliText& text,
                                    const std::map<std::string, const ChunkServer*>& by_name) {
    std::vector<DiskLine> out;
    for (const auto& f : text.rows) {
        if (f[0] != "disks:") {
            ADD_FAILURE() << "unexpected line '" << f[0] << "' in " << text.path.string();
            continue;
        }
        if (f.size() != 15) {
            ADD_FAILURE() << "a disks line of " << f.size() << " fields";
            continue;
        }
        DiskLine d;
        const auto second_colon = f[1].find(':', f[1].find(':') + 1);
        d.server = f[1].substr(0, second_colon);
        d.marked = f[4].find("marked for removal") != std::string::npos;
        d.scanning = f[13] == "progress:";
        d.total = d.scanning ? 0 : ParseU64(f[14]);
        out.push_back(d);
        // 3.0.117 mfscli words a marked disk's status from the master's mfrstatus.
        if (const auto it = by_name.find(d.server); it != by_name.end() && d.marked) {
            SCOPED_TRACE(f[1]);
            const ChunkServer* cs = it->second;
            const char* expected =
                cs->mfr_status == model::kMfrInProgress ? "marked for removal (not ready)"
                : cs->mfr_status == model::kMfrReady    ? "marked for removal (ready)"
                                                        : "marked for removal";
            bool found = false;
            std::size_t start = 0;
            while (start <= f[4].size()) {
                auto end = f[4].find(", ", start);
                if (end == std::string::npos) end = f[4].size();
                found = found || f[4].substr(start, end - start) == expected;
                start = end + 2;
            }
            CountComparison();
            EXPECT_TRUE(found) << "status '" << f[4] << "', expected '" << expected << "'";
        }
    }
    return out;
}

void CheckShd(const RecordedAnswer& rec, const std::vector<ChunkServer>& servers) {
    const auto by_name = ByName(servers);

    // mfscli asks every connected server that has a port, one connection each, and no other.
    std::set<std::string> should_ask;
    for (const auto& cs : servers) {
        if (cs.connected() && cs.port > 0) should_ask.insert(model::ChunkServerName(cs));
    }
    std::set<std::string> asked;
    for (const auto& f : ListPackets(rec.option_dir)) {
        if (f.answer || f.type != kCltocsHddList) continue;
        // Peer "cs198.18.0.10_9422".
        ASSERT_TRUE(f.peer.starts_with("cs")) << f.peer;
        std::string name = f.peer.substr(2);
        const auto underscore = name.rfind('_');
        ASSERT_NE(underscore, std::string::npos) << f.peer;
        name[underscore] = ':';
        EXPECT_TRUE(asked.insert(name).second) << name << " asked twice";
    }
    EXPECT_FIELD_EQ(asked, should_ask);

    std::vector<DiskLine> disks;
    if (rec.version == kV3) {
        disks = DisksFromText(ReadMfscliText(rec.option_dir / "mfscli.txt"), by_name);
    } else {
        const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
        EXPECT_TRUE(json.at("errors").empty());
        for (const auto& disk : json.at("dataset").at("disks")) {
            DiskLine d;
            d.server = disk.at("ip").get<std::string>() + ":" +
                       std::to_string(disk.at("port").get<std::uint32_t>());
            const auto flags = disk.at("flags").get<std::uint32_t>();
            d.marked = (flags & 1) != 0;
            d.scanning = (flags & 4) != 0;
            d.total = disk.at("total").get<std::uint64_t>();
            disks.push_back(d);
            // 4.59.2 mfscli copies the master's mfrstatus into every disk of the server.
            const auto it = by_name.find(d.server);
            if (it != by_name.end()) {
                SCOPED_TRACE(disk.at("ip_path").get<std::string>());
                EXPECT_FIELD_EQ(it->second->mfr_status, disk.at("mfrstatus").get<std::uint32_t>());
            }
        }
    }

    // Every asked server reported its disks, and the master's totals are their sums (used and
    // chunks are not compared: the master holds the server's last periodic report, and the
    // layouts note saw them differ by a chunk or two while data moved).
    struct Sums {
        std::uint64_t total = 0;
        std::uint64_t td_total = 0;
        bool scanning = false;
    };
    std::map<std::string, Sums> sums;
    for (const auto& d : disks) {
        auto& s = sums[d.server];
        (d.marked ? s.td_total : s.total) += d.total;
        s.scanning = s.scanning || d.scanning;
    }
    std::set<std::string> with_disks;
    for (const auto& [name, s] : sums) with_disks.insert(name);
    EXPECT_FIELD_EQ(with_disks, should_ask);
    for (const auto& [name, s] : sums) {
        SCOPED_TRACE(name);
        const auto it = by_name.find(name);
        ASSERT_NE(it, by_name.end());
        if (s.scanning) continue;  // a scanning disk reports no total yet
        EXPECT_FIELD_EQ(it->second->total, s.total);
        EXPECT_FIELD_EQ(it->second->td_total, s.td_total);
    }
}

// A disconnected server keeps its address, id and flags; the master writes 0 for the rest
// (csdb.c; layouts note section 3).
void CheckDisconnectedAreEmpty(const std::vector<ChunkServer>& servers) {
    for (const auto& cs : servers) {
        if (cs.connected()) continue;
        SCOPED_TRACE(model::ChunkServerName(cs));
        EXPECT_EQ(cs.version.ToString(), "0.0.0");
        EXPECT_EQ(cs.used + cs.total + cs.td_used + cs.td_total, 0u);
        EXPECT_EQ(cs.chunks + cs.td_chunks + cs.errors + cs.load + cs.labelmask, 0u);
        EXPECT_EQ(cs.mfr_status, 0u);
    }
}

// --- every recorded answer ---------------------------------------------------------------------

TEST(CservListRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclCservList, kV3CservAnswers);
    ExpectAnswersMatchManifest(kV4, kMatoclCservList, kV4CservAnswers);
}

class RecordedCservList : public RecordedAnswerTest {};

TEST_P(RecordedCservList, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclCservList));

    // mfsmon sends what this mfscli sent: 3.0.117 the empty request, 4.59.2 mode 1.
    const RequestForm form = FormSent(rec);
    const auto chosen = protocol::ChooseRequest(Command::kCservList, master);
    ASSERT_TRUE(chosen.ok()) << chosen.error().message;
    EXPECT_FIELD_EQ(*chosen, form);

    const auto servers = DecodeCservList(packet.payload, master, form);
    ASSERT_TRUE(servers.ok()) << servers.error().message;
    EXPECT_EQ(servers->size() * EntrySize(rec), packet.payload.size());
    for (const auto& cs : *servers) {
        EXPECT_EQ(cs.original_ip.has_value(), rec.version == kV4);
        EXPECT_EQ(cs.maintenance_timeout.has_value(), rec.version == kV4);
        EXPECT_EQ(cs.fast_rebalance_known, rec.version == kV4);
    }
    CheckDisconnectedAreEmpty(*servers);

    if (rec.option == "SCS") {
        if (rec.version == kV3) {
            CheckScsText(rec, *servers);
        } else {
            CheckScsJson(rec, *servers);
        }
    } else if (rec.option == "SHD") {
        CheckShd(rec, *servers);
    } else {
        ADD_FAILURE() << "a chunkserver list in an unexpected run: " << rec.Label();
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedCservList, FindMasterAnswersOrEmpty, kMatoclCservList);

// --- negative cases on real bytes --------------------------------------------------------------

TEST(CservListDecoder, EveryTruncationIsAnErrorButWholeEntries) {
    for (const auto version : {kV3, kV4}) {
        SCOPED_TRACE(std::string(version));
        const auto real = RealCservAnswer(version);
        const std::size_t entry = version == kV3 ? 69 : 77;
        const auto full = DecodeCservList(real.payload, real.master, real.form);
        ASSERT_TRUE(full.ok()) << full.error().message;
        ExpectEveryCutIsAnErrorButWholeEntries(
            real.payload, entry, {"MATOCL_CSERV_LIST", version},
            [&](std::span<const std::uint8_t> cut) {
                return DecodeCservList(cut, real.master, real.form);
            },
            [&](const ChunkServer& cs, std::size_t i) {
                EXPECT_EQ(model::ChunkServerName(cs), model::ChunkServerName((*full)[i]));
                EXPECT_EQ(cs.chunks, (*full)[i].chunks);
            });
    }
}

TEST(CservListDecoder, OneExtraByteIsAnError) {
    for (const auto version : {kV3, kV4}) {
        auto real = RealCservAnswer(version);
        real.payload.push_back(0);
        const auto r = DecodeCservList(real.payload, real.master, real.form);
        ASSERT_FALSE(r.ok()) << version;
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    }
}

TEST(CservListDecoder, FourXAnswerReadWithTheWrongFormIsAnError) {
    // 539 = 7 x 77 is no multiple of 73: the empty request's entries from 4.26 on.
    const auto real = RealCservAnswer(kV4);
    ASSERT_EQ(real.payload.size(), 539u);
    const auto r = DecodeCservList(real.payload, kVersion4, RequestForm::kEmpty);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CSERV_LIST", "539", "4.59.2", "N x 73"}))
        << r.error().message;
    // Forms the table has no CSERV_LIST rule for are errors too, whatever the length.
    for (const auto form : {RequestForm::kPver1, RequestForm::kFver5, RequestForm::kInodeList}) {
        const auto other = DecodeCservList(real.payload, kVersion4, form);
        ASSERT_FALSE(other.ok());
        EXPECT_TRUE(MentionsAll(other.error(), {"MATOCL_CSERV_LIST", "4.59.2"}))
            << other.error().message;
    }
}

TEST(CservListDecoder, ThreeXMasterKnowsNoModeOne) {
    // 3.0.117 closes the connection on a 1-byte CSERV_LIST request; an answer "to" one is ours.
    const auto real = RealCservAnswer(kV3);
    const auto r = DecodeCservList(real.payload, kVersion3, RequestForm::kMode1);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CSERV_LIST", "mode 1", "3.0.117"}))
        << r.error().message;
}

TEST(CservListDecoder, AnswerFromTheOtherVersionIsAnError) {
    const auto v3 = RealCservAnswer(kV3);  // 414 = 6 x 69; 414 % 73 = 49
    const auto v4 = RealCservAnswer(kV4);  // 539 = 7 x 77; 539 % 69 = 56
    const auto as4 = DecodeCservList(v3.payload, kVersion4, RequestForm::kEmpty);
    ASSERT_FALSE(as4.ok());
    EXPECT_TRUE(MentionsAll(as4.error(), {"MATOCL_CSERV_LIST", "414", "4.59.2"}))
        << as4.error().message;
    const auto as3 = DecodeCservList(v4.payload, kVersion3, RequestForm::kEmpty);
    ASSERT_FALSE(as3.ok());
    EXPECT_TRUE(MentionsAll(as3.error(), {"MATOCL_CSERV_LIST", "539", "3.0.117"}))
        << as3.error().message;
}

TEST(CservListDecoder, UnknownMasterVersionsAreErrors) {
    const auto v3 = RealCservAnswer(kV3);
    for (const auto& [master, shown] : {std::pair{Version{3, 0, 37, false}, "3.0.37"},
                                        std::pair{Version{5, 0, 0, false}, "5.0.0"}}) {
        const auto r = DecodeCservList(v3.payload, master, RequestForm::kEmpty);
        ASSERT_FALSE(r.ok()) << shown;
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CSERV_LIST", shown})) << r.error().message;
    }
}

// 5621 = 73 x 77 fits both 4.x entry sizes; only the request that was sent tells them apart.
TEST(CservListDecoder, The5621ByteTrapIsDecodedByTheFormSent) {
    const auto real = RealCservAnswer(kV4, "maintenance");  // one disconnected, one maintained
    const auto recorded = DecodeCservList(real.payload, kVersion4, RequestForm::kMode1);
    ASSERT_TRUE(recorded.ok()) << recorded.error().message;
    const std::size_t n = recorded->size();
    ASSERT_EQ(n, 7u);
    auto entry = [&](std::size_t i) { return std::span(real.payload).subspan((i % n) * 77, 77); };

    // Asked with mode 1: 73 entries of 77 bytes.
    std::vector<std::uint8_t> mode1;
    for (std::size_t i = 0; i < 73; ++i) {
        const auto e = entry(i);
        mode1.insert(mode1.end(), e.begin(), e.end());
    }
    // Asked with the empty request: 77 entries of 73, the same servers without the timeout.
    std::vector<std::uint8_t> empty;
    for (std::size_t i = 0; i < 77; ++i) {
        const auto e = entry(i).first(73);
        empty.insert(empty.end(), e.begin(), e.end());
    }
    ASSERT_EQ(mode1.size(), 5621u);
    ASSERT_EQ(empty.size(), 5621u);

    const auto as_mode1 = DecodeCservList(mode1, kVersion4, RequestForm::kMode1);
    ASSERT_TRUE(as_mode1.ok()) << as_mode1.error().message;
    ASSERT_EQ(as_mode1->size(), 73u);
    const auto as_empty = DecodeCservList(empty, kVersion4, RequestForm::kEmpty);
    ASSERT_TRUE(as_empty.ok()) << as_empty.error().message;
    ASSERT_EQ(as_empty->size(), 77u);
    for (std::size_t i = 0; i < 77; ++i) {
        SCOPED_TRACE(i);
        const ChunkServer& want = (*recorded)[i % n];
        for (const ChunkServer* got : {i < 73 ? &(*as_mode1)[i] : nullptr, &(*as_empty)[i]}) {
            if (got == nullptr) continue;
            EXPECT_EQ(model::ChunkServerName(*got), model::ChunkServerName(want));
            EXPECT_EQ(got->flags, want.flags);
            EXPECT_EQ(got->csid, want.csid);
            EXPECT_EQ(got->chunks, want.chunks);
            EXPECT_EQ(got->used, want.used);
            EXPECT_EQ(got->mfr_status, want.mfr_status);
            EXPECT_EQ(got->original_ip, want.original_ip);
        }
        EXPECT_FALSE((*as_empty)[i].maintenance_timeout.has_value());
        if (i < 73) {
            EXPECT_EQ((*as_mode1)[i].maintenance_timeout, want.maintenance_timeout);
        }
    }

    // The same bytes read with the other form also "decode": nothing in the length tells.
    // Read as 73-byte entries, the second one starts at the first one's maintenance timeout
    // (FF FF FF FF), which is how a guessed entry size would show garbage as a server.
    const auto wrong = DecodeCservList(mode1, kVersion4, RequestForm::kEmpty);
    ASSERT_TRUE(wrong.ok()) << wrong.error().message;
    ASSERT_EQ(wrong->size(), 77u);
    EXPECT_EQ((*wrong)[1].flags, 0xFFu);
    EXPECT_NE(model::ChunkServerName((*wrong)[1]), model::ChunkServerName((*recorded)[1]));
}

// --- the layout table's CSERV_LIST rules, on synthetic entries -----------------------------

void Put(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) b.at(at + i) = static_cast<std::uint8_t>(v);
}

// An entry with a different value in every field, written at the offsets of the reference
// notes (wire protocol section 6; layouts note section 3), independently of the decoder.
std::vector<std::uint8_t> SyntheticEntry(std::size_t size, std::uint32_t seed) {
    std::vector<std::uint8_t> b(size, 0);
    const bool four_x = size != 69;
    const std::size_t d = four_x ? 4 : 0;  // 4.26+: original_ip at 4 shifts the rest
    Put(b, 0, 0x02, 1);                    // flags: maintenance
    Put(b, 1, 4, 1);                       // major: 8 bits here
    Put(b, 2, 59, 1);
    Put(b, 3, 2 * 2 + 1, 1);  // 2, PRO
    if (four_x) Put(b, 4, 0x0A000001 + seed, 4);
    Put(b, 4 + d, 0xC6120000 + seed, 4);
    Put(b, 8 + d, 9422 + seed, 2);
    Put(b, 10 + d, 100 + seed, 2);
    Put(b, 12 + d, 0x0000000100000000ull + seed, 8);
    Put(b, 20 + d, 0x0000000200000000ull + seed, 8);
    Put(b, 28 + d, 3000 + seed, 4);
    Put(b, 32 + d, 0x0000000400000000ull + seed, 8);
    Put(b, 40 + d, 0x0000000500000000ull + seed, 8);
    Put(b, 48 + d, 6000 + seed, 4);
    Put(b, 52 + d, 7 + seed, 4);
    Put(b, 56 + d, 8 + seed, 4);
    Put(b, 60 + d, 900 + seed, 4);  // grace seconds
    Put(b, 64 + d, 0x5 + seed, 4);  // labels
    Put(b, 68 + d, 1, 1);           // mfrstatus: in progress
    if (size == 77) Put(b, 73, 3600 + seed, 4);
    return b;
}

void ExpectSynthetic(const ChunkServer& cs, std::size_t size, std::uint32_t seed) {
    EXPECT_EQ(cs.flags, 0x02u);
    EXPECT_TRUE(cs.connected());
    EXPECT_TRUE(cs.maintenance());
    EXPECT_FALSE(cs.temporary_maintenance());
    EXPECT_EQ(cs.version.ToString(), "4.59.2 PRO");
    EXPECT_EQ(cs.ip, 0xC6120000 + seed);
    EXPECT_EQ(cs.original_ip,
              size == 69 ? std::nullopt : std::optional<std::uint32_t>(0x0A000001 + seed));
    EXPECT_EQ(cs.port, 9422 + seed);
    EXPECT_EQ(cs.csid, 100 + seed);
    EXPECT_EQ(cs.used, 0x0000000100000000ull + seed);
    EXPECT_EQ(cs.total, 0x0000000200000000ull + seed);
    EXPECT_EQ(cs.chunks, 3000 + seed);
    EXPECT_EQ(cs.td_used, 0x0000000400000000ull + seed);
    EXPECT_EQ(cs.td_total, 0x0000000500000000ull + seed);
    EXPECT_EQ(cs.td_chunks, 6000 + seed);
    EXPECT_EQ(cs.errors, 7 + seed);
    EXPECT_EQ(cs.load, 8 + seed);
    EXPECT_EQ(cs.gracetime, 900 + seed);
    EXPECT_EQ(cs.queue_state(), QueueState::kGrace);
    EXPECT_EQ(cs.labelmask, 0x5 + seed);
    EXPECT_EQ(cs.mfr_status, model::kMfrInProgress);
    EXPECT_EQ(cs.maintenance_timeout,
              size == 77 ? std::optional<std::uint32_t>(3600 + seed) : std::nullopt);
}

std::size_t EntrySizeOf(Layout layout) {
    switch (layout) {
        case Layout::kCservList69:
            return 69;
        case Layout::kCservList73:
            return 73;
        case Layout::kCservList77:
            return 77;
        default:
            return 0;
    }
}

std::string Describe(const protocol::LayoutRule& r) {
    return std::to_string(r.length) + "-byte entries, " + r.from.ToString() + " <= v < " +
           r.before.ToString();
}

TEST(CservListLayoutRules, EntrySizesAreTheReferenceSizes) {
    int rules = 0;
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kCservList) continue;
        ++rules;
        SCOPED_TRACE(Describe(r));
        EXPECT_EQ(r.sizing, protocol::Sizing::kEntries);
        EXPECT_FIELD_EQ(r.length, EntrySizeOf(r.layout));
        // 77 is the mode-1 answer; the others answer the empty request.
        EXPECT_FIELD_EQ(r.request == RequestForm::kMode1, r.layout == Layout::kCservList77);
    }
    EXPECT_EQ(rules, 3);
}

TEST(CservListLayoutRules, DecodeAtBothEndsOfTheirRange) {
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kCservList) continue;
        const std::size_t size = r.length;
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(Describe(r) + ", master " + v.ToString());
            std::vector<std::uint8_t> payload;
            for (std::uint32_t seed = 0; seed < 3; ++seed) {
                const auto e = SyntheticEntry(size, seed);
                payload.insert(payload.end(), e.begin(), e.end());
            }
            const auto servers = DecodeCservList(payload, v, r.request);
            ASSERT_TRUE(servers.ok()) << servers.error().message;
            ASSERT_EQ(servers->size(), 3u);
            for (std::uint32_t seed = 0; seed < 3; ++seed) {
                SCOPED_TRACE(seed);
                ExpectSynthetic((*servers)[seed], size, seed);
            }
            const auto none = DecodeCservList({}, v, r.request);
            ASSERT_TRUE(none.ok()) << none.error().message;
            EXPECT_TRUE(none->empty());
            for (const std::size_t bad : {size - 1, size + 1, 3 * size + 4}) {
                const auto cut = DecodeCservList(std::vector<std::uint8_t>(bad, 0), v, r.request);
                EXPECT_FALSE(cut.ok()) << bad << " bytes decoded";
            }
        }
        // Just outside the range the rule does not apply.
        ExpectRuleEndsWithItsRange(r, r.length);
    }
}

// The boundaries the reference notes give (wire protocol sections 6 and 13, section 16;
// mfscli 4.59.2's dataprovider), written out so a drifting table range fails.
TEST(CservListLayoutRules, VersionBoundariesFromTheReference) {
    struct Case {
        Version version;
        RequestForm form;
        std::uint32_t length;
        bool accepted;
    };
    const Case cases[] = {
        // 69 from 3.0.38 (older masters send 68 bytes, which mfsmon does not read) to 4.25.
        {{3, 0, 37}, RequestForm::kEmpty, 69, false},
        {{3, 0, 38}, RequestForm::kEmpty, 69, true},
        {{3, 0, 117}, RequestForm::kEmpty, 69, true},
        {{4, 25, 9}, RequestForm::kEmpty, 69, true},
        {{4, 26, 0}, RequestForm::kEmpty, 69, false},
        // 73 for the empty request from 4.26 (original ip).
        {{4, 25, 9}, RequestForm::kEmpty, 73, false},
        {{4, 26, 0}, RequestForm::kEmpty, 73, true},
        {{4, 59, 2}, RequestForm::kEmpty, 73, true},
        // 77 for mode 1 from 4.35 (maintenance timeout); never for the empty request.
        {{4, 34, 9}, RequestForm::kMode1, 77, false},
        {{4, 35, 0}, RequestForm::kMode1, 77, true},
        {{4, 59, 2}, RequestForm::kMode1, 77, true},
        {{4, 59, 2}, RequestForm::kEmpty, 77, false},
        {{3, 0, 117}, RequestForm::kMode1, 69, false},
        {{5, 0, 0}, RequestForm::kMode1, 77, false},
    };
    for (const auto& c : cases) {
        const auto found = protocol::FindLayout(Command::kCservList, c.version, c.form, c.length);
        CountComparison();
        EXPECT_EQ(found.ok(), c.accepted) << c.length << " bytes, form " << static_cast<int>(c.form)
                                          << ", from " << c.version.ToString();
    }
    // And the request mfsmon sends: mode 1 wherever the table has it.
    const std::pair<Version, std::optional<RequestForm>> choices[] = {
        {{3, 0, 37}, std::nullopt},         {{3, 0, 38}, RequestForm::kEmpty},
        {{3, 0, 117}, RequestForm::kEmpty}, {{4, 34, 9}, RequestForm::kEmpty},
        {{4, 35, 0}, RequestForm::kMode1},  {{4, 59, 2}, RequestForm::kMode1},
        {{5, 0, 0}, std::nullopt},
    };
    for (const auto& [version, form] : choices) {
        SCOPED_TRACE(version.ToString());
        CountComparison();
        ASSERT_NO_FATAL_FAILURE(ExpectChosenRequest(Command::kCservList, version, form));
    }
}

// --- model details -----------------------------------------------------------------------------

TEST(CservListDecoder, VersionWordHasFlagsOnTopAndAnEightBitMajor) {
    auto entry = SyntheticEntry(69, 0);
    struct Case {
        std::uint8_t flags, major, mid, minor;
        const char* shown;
    };
    // The patch byte as in INFO: 2 x minor + PRO, but the plain patch on 4.0 .. 4.10.
    const Case cases[] = {
        {0x00, 3, 0, 234, "3.0.117"}, {0x04, 3, 0, 235, "3.0.117 PRO"},
        {0x01, 0, 0, 0, "0.0.0"},     {0x07, 4, 10, 5, "4.10.5"},
        {0x02, 4, 11, 10, "4.11.5"},  {0xFF, 255, 255, 255, "255.255.127 PRO"},
    };
    for (const auto& c : cases) {
        entry[0] = c.flags;
        entry[1] = c.major;
        entry[2] = c.mid;
        entry[3] = c.minor;
        const auto r = DecodeCservList(entry, kVersion3, RequestForm::kEmpty);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ((*r)[0].version.ToString(), c.shown);
        EXPECT_EQ((*r)[0].flags, c.flags);
        EXPECT_EQ((*r)[0].connected(), (c.flags & 1) == 0);
        EXPECT_EQ((*r)[0].maintenance(), (c.flags & 2) != 0);
        EXPECT_EQ((*r)[0].temporary_maintenance(), (c.flags & 4) != 0);
    }
}

TEST(CservListDecoder, QueueStateFollowsMfscliOfTheMastersGeneration) {
    struct Case {
        std::uint32_t gracetime;
        QueueState before_4_37;  // mfscli 3.0.117: no fast rebalance
        QueueState since_4_37;   // mfscli 4.59.2
    };
    const Case cases[] = {
        {0, QueueState::kNormal, QueueState::kNormal},
        {1, QueueState::kGrace, QueueState::kGrace},
        {0x3FFFFFFF, QueueState::kGrace, QueueState::kGrace},
        {0x40000000, QueueState::kGrace, QueueState::kFastRebalance},
        {0x7FFFFFFF, QueueState::kGrace, QueueState::kFastRebalance},
        {0x80000000, QueueState::kRebalance, QueueState::kRebalance},
        {0xBFFFFFFF, QueueState::kRebalance, QueueState::kRebalance},
        {0xC0000000, QueueState::kOverloaded, QueueState::kOverloaded},
        {0xFFFFFFFF, QueueState::kOverloaded, QueueState::kOverloaded},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.gracetime);
        for (const auto& [master, form, size, expected] :
             {std::tuple{kVersion3, RequestForm::kEmpty, 69, c.before_4_37},
              std::tuple{Version{4, 36, 9}, RequestForm::kMode1, 77, c.before_4_37},
              std::tuple{Version{4, 37, 0}, RequestForm::kMode1, 77, c.since_4_37},
              std::tuple{kVersion4, RequestForm::kEmpty, 73, c.since_4_37}}) {
            SCOPED_TRACE(master.ToString());
            auto entry = SyntheticEntry(size, 0);
            Put(entry, size == 69 ? 60 : 64, c.gracetime, 4);
            const auto r = DecodeCservList(entry, master, form);
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ((*r)[0].gracetime, c.gracetime);
            EXPECT_EQ((*r)[0].queue_state(), expected);
        }
    }
}

TEST(CservListModel, AddressesAreWrittenAsMfscliDoes) {
    EXPECT_EQ(model::Ipv4Text(0xC612000A), "198.18.0.10");
    EXPECT_EQ(model::Ipv4Text(0), "0.0.0.0");
    EXPECT_EQ(model::Ipv4Text(0xFFFFFFFF), "255.255.255.255");
    EXPECT_EQ(model::Ipv4Text(0x7F000001), "127.0.0.1");
    ChunkServer cs;
    cs.ip = 0xC612000A;
    cs.original_ip = 0x0A000001;  // the name is the address to connect to
    cs.port = 9422;
    EXPECT_EQ(model::ChunkServerName(cs), "198.18.0.10:9422");
    cs.port = 0;
    EXPECT_EQ(model::ChunkServerName(cs), "198.18.0.10:0");
}

}  // namespace
}  // namespace mfsmon::test
