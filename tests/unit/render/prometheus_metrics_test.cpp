// The Prometheus renderer on snapshots rebuilt from every recorded cluster state (3.0.117 and
// 4.59.2, tests/fixtures): promtool accepts every output, the text is well formed (one
// HELP/TYPE per family, series together, none twice), and the values are what the same
// recording's mfscli printed.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <prometheus/text_serializer.h>

#include "exposition_parser.h"
#include "fixture_loader.h"
#include "health/cluster_health.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"
#include "recorded_snapshot.h"
#include "render/prometheus_family.h"
#include "render/prometheus_metrics.h"

namespace mfsmon::test {
namespace {

namespace fs = std::filesystem;
using Labels = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kPromtool = "/usr/bin/promtool";

const char* const kStates[] = {"healthy",  "cs-killed",          "maintenance",   "three-killed",
                               "settling", "marked-for-removal", "no-metalogger", "missing-files"};

struct Rendered {
    std::string text;
    Exposition exposition;
};

Rendered Render(const model::ClusterSnapshot& snap, const Labels& const_labels = {}) {
    const health::Report report = health::ClusterHealthReport(snap, health::RecoveryTrends{});
    const auto families = render::ClusterMetricFamilies(snap, report, const_labels);
    Rendered r;
    r.text = prometheus::TextSerializer().Serialize(families);
    r.exposition = ParseExposition(r.text);
    return r;
}

struct Promtool {
    int exit_code = -1;
    std::string output;
};

// `promtool check metrics` on `text`: exit code and everything it printed.
Promtool CheckMetrics(const std::string& text) {
    const fs::path file =
        fs::temp_directory_path() / ("mfsmon_prom_" + std::to_string(::getpid()) + ".prom");
    {
        std::ofstream out(file, std::ios::binary);
        out << text;
    }
    Promtool r;
    const std::string cmd = std::string(kPromtool) + " check metrics < " + file.string() + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    fs::remove(file);
    return r;
}

void ExpectPromtoolClean(const std::string& text) {
    ASSERT_TRUE(fs::exists(kPromtool))
        << kPromtool << " is missing: install Debian's `prometheus` package";
    const Promtool r = CheckMetrics(text);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, "");
}

// --- every recorded state ----------------------------------------------------------------

struct StateCase {
    std::string version;
    std::string state;
};

void PrintTo(const StateCase& c, std::ostream* os) {
    *os << c.version << "/" << c.state;
}

std::vector<StateCase> AllStates() {
    std::vector<StateCase> out;
    for (const char* v : {"3.0.117", "4.59.2"}) {
        for (const char* s : kStates) out.push_back({v, s});
    }
    return out;
}

// "v3_0_117_cs_killed"
std::string StateName(const testing::TestParamInfo<StateCase>& info) {
    std::string n = "v" + info.param.version + "_" + info.param.state;
    for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return n;
}

class RecordedState : public testing::TestWithParam<StateCase> {
  protected:
    model::ClusterSnapshot Snapshot() const {
        return RecordedSnapshot(GetParam().version, GetParam().state);
    }
    fs::path OptionDir(const char* option) const {
        return VersionDir(GetParam().version) / GetParam().state / option;
    }
    bool V3() const { return GetParam().version == "3.0.117"; }
};

TEST_P(RecordedState, PromtoolAcceptsTheOutput) {
    ExpectPromtoolClean(Render(Snapshot()).text);
}

TEST_P(RecordedState, IsWellFormed) {
    // ParseExposition throws on a second HELP/TYPE, split families and repeated series.
    const auto snap = Snapshot();
    const Rendered r = Render(snap);
    EXPECT_GT(r.exposition.families.size(), 20u);
    for (const auto& [name, type] : r.exposition.types) {
        EXPECT_EQ(type, "gauge") << name;
        EXPECT_TRUE(name.starts_with("mfsmon_")) << name;
        EXPECT_TRUE(r.exposition.Has(name)) << name << ": HELP/TYPE without series";
    }
}

TEST_P(RecordedState, ConstLabelsAreOnEverySeries) {
    const Labels master = {{"master", "198.18.0.10:9421"}};
    const Rendered r = Render(Snapshot(), master);
    ASSERT_FALSE(r.exposition.samples.empty());
    for (const auto& s : r.exposition.samples) {
        auto it = s.labels.find("master");
        ASSERT_NE(it, s.labels.end()) << s.name;
        EXPECT_EQ(it->second, "198.18.0.10:9421") << s.name;
    }
    ExpectPromtoolClean(r.text);
}

// The rule of docs/metrics.md: every row with chunks in either matrix, all 7 states, both
// matrices; so the deficit sum exists on any cluster with chunks, and the sums are the
// matrices' totals.
TEST_P(RecordedState, ChunksFollowTheRowRule) {
    const auto snap = Snapshot();
    ASSERT_TRUE(snap.matrices && *snap.matrices);
    const auto& m = snap.matrices->value();
    const Exposition e = Render(snap).exposition;
    for (const char* matrix : {"all", "regular"}) {
        SCOPED_TRACE(matrix);
        const auto& mx = std::string(matrix) == "all" ? m.combined.all : m.combined.regular;
        EXPECT_EQ(e.Sum("mfsmon_chunks", {{"matrix", matrix}}),
                  static_cast<double>(model::Summarize(mx).Total()));
        for (int row = 0; row < model::kMatrixSize; ++row) {
            const bool used = model::RowTotal(m.combined.all, row) > 0 ||
                              model::RowTotal(m.combined.regular, row) > 0;
            const auto series =
                e.Select("mfsmon_chunks", {{"matrix", matrix}, {"goal", std::to_string(row)}});
            EXPECT_EQ(series.size(), used ? 7u : 0u) << "row " << row;
        }
        ASSERT_TRUE(e.Sum("mfsmon_chunks", {{"matrix", matrix}, {"state", "missing"}}));
        ASSERT_TRUE(e.Sum("mfsmon_chunks", {{"matrix", matrix}, {"state", "endangered"}}));
        ASSERT_TRUE(e.Sum("mfsmon_chunks", {{"matrix", matrix}, {"state", "undergoal"}}));
        EXPECT_EQ(e.Sum("mfsmon_chunk_matrix_cells", {{"matrix", matrix}}),
                  static_cast<double>(model::Summarize(mx).Total()));
        // 4.x: the storage modes add up to the combined matrices, class by class.
        if (!V3()) {
            for (const char* state : {"missing", "endangered", "undergoal", "stable", "overgoal"}) {
                EXPECT_EQ(e.Sum("mfsmon_chunks_by_storage", {{"matrix", matrix}, {"state", state}}),
                          e.Sum("mfsmon_chunks", {{"matrix", matrix}, {"state", state}}))
                    << state;
            }
        }
    }
    EXPECT_EQ(e.Sum("mfsmon_chunk_matrix_counters_valid"), m.progress == 0 ? 1.0 : 0.0);
    if (V3()) {
        EXPECT_FALSE(e.Has("mfsmon_chunks_by_storage"));
    }
}

// mfscli's chunk class summary of the all matrix (same SIC run as the snapshot's matrix).
TEST_P(RecordedState, ChunkClassesMatchMfscli) {
    const Exposition e = Render(Snapshot()).exposition;
    struct Class {
        const char* ours;
        const char* text;  // 3.0.117 "chunkclass <name>:"
        const char* json;  // 4.59.2 summary key
    };
    const Class classes[] = {{"missing", "missing", "missing"},
                             {"endangered", "endangered", "endangered"},
                             {"undergoal", "undergoal", "undergoal"},
                             {"stable", "stable", "stable"},
                             {"overgoal", "overgoal", "overgoal"},
                             {"pending_deletion", "pending deletion", "pending_deletion"},
                             {"to_be_removed", "to be removed", "ready_to_remove"}};
    if (V3()) {
        const auto text = ReadMfscliText(OptionDir("SIC") / "mfscli.txt");
        std::map<std::string, std::uint64_t> printed;
        for (const auto& f : text.Table("all chunks matrix:")) {
            if (f.size() == 3 && f[1].starts_with("chunkclass ")) {
                printed[f[1].substr(11, f[1].size() - 12)] = ParseU64(f[2]);
            }
        }
        ASSERT_EQ(printed.size(), 7u);
        for (const auto& c : classes) {
            EXPECT_EQ(e.Sum("mfsmon_chunks", {{"matrix", "all"}, {"state", c.ours}}).value_or(0),
                      static_cast<double>(printed.at(c.text)))
                << c.ours;
        }
        return;
    }
    const auto json = ReadMfscliJson(OptionDir("SIC") / "mfscli.json");
    const auto& summary = json.at("dataset").at("info").at("chunks").at("summary");
    for (const char* matrix : {"all", "regular"}) {
        const auto& s = summary.at(std::string(matrix) + "chunks");
        for (const auto& c : classes) {
            EXPECT_EQ(e.Sum("mfsmon_chunks", {{"matrix", matrix}, {"state", c.ours}}).value_or(0),
                      s.at(c.json).get<double>())
                << matrix << " " << c.ours;
        }
    }
}

// mfscli -SCS (another run in the same state): which servers are connected.
TEST_P(RecordedState, ChunkserversMatchMfscli) {
    if (!fs::exists(OptionDir("SCS"))) GTEST_SKIP() << "no -SCS recording in this state";
    const Exposition e = Render(Snapshot()).exposition;
    std::map<std::string, bool> printed;  // server -> connected
    if (V3()) {
        const auto text = ReadMfscliText(OptionDir("SCS") / "mfscli.txt");
        for (const auto& f : text.Table("chunk servers:")) printed[f.at(1) + ":" + f.at(2)] = true;
        for (const auto& f : text.Table("Disconnected chunk servers:")) {
            printed[f.at(1) + ":" + f.at(2)] = false;
        }
    } else {
        const auto json = ReadMfscliJson(OptionDir("SCS") / "mfscli.json");
        for (const auto& cs : json.at("dataset").at("chunkservers")) {
            printed[cs.at("ip").get<std::string>() + ":" +
                    std::to_string(cs.at("port").get<int>())] = cs.at("connected").get<bool>();
        }
    }
    ASSERT_FALSE(printed.empty());
    EXPECT_EQ(e.Select("mfsmon_chunkserver_connected").size(), printed.size());
    EXPECT_EQ(e.Select("mfsmon_chunkserver_info").size(), printed.size());
    for (const auto& [server, connected] : printed) {
        EXPECT_EQ(e.Sum("mfsmon_chunkserver_connected", {{"server", server}}),
                  connected ? 1.0 : 0.0)
            << server;
        // A disconnected server's counters are not values: no series.
        EXPECT_EQ(e.Select("mfsmon_chunkserver_used_bytes", {{"server", server}}).size(),
                  connected ? 1u : 0u)
            << server;
        EXPECT_EQ(e.Select("mfsmon_chunkserver_disks_success", {{"server", server}}).size(),
                  connected ? 1u : 0u)
            << server;
    }
}

// mfscli -SHD (the same run the disks were decoded from): every disk's used and total bytes.
TEST_P(RecordedState, DisksMatchMfscli) {
    if (!fs::exists(OptionDir("SHD"))) GTEST_SKIP() << "no -SHD recording in this state";
    const Exposition e = Render(Snapshot()).exposition;
    struct Printed {
        std::string server, path;
        double used, total;
    };
    std::vector<Printed> disks;
    if (V3()) {
        const auto text = ReadMfscliText(OptionDir("SHD") / "mfscli.txt");
        for (const auto& f : text.Table("disks:")) {
            // "198.18.0.10:9422:/mnt/...", ..., used, total
            const std::string& where = f.at(1);
            const auto second_colon = where.find(':', where.find(':') + 1);
            disks.push_back({where.substr(0, second_colon), where.substr(second_colon + 1),
                             static_cast<double>(ParseU64(f.at(f.size() - 2))),
                             static_cast<double>(ParseU64(f.back()))});
        }
    } else {
        const auto json = ReadMfscliJson(OptionDir("SHD") / "mfscli.json");
        for (const auto& d : json.at("dataset").at("disks")) {
            disks.push_back(
                {d.at("ip").get<std::string>() + ":" + std::to_string(d.at("port").get<int>()),
                 d.at("path").get<std::string>(), d.at("used").get<double>(),
                 d.at("total").get<double>()});
        }
    }
    ASSERT_FALSE(disks.empty());
    EXPECT_EQ(e.Select("mfsmon_disk_used_bytes").size(), disks.size());
    for (const auto& d : disks) {
        SCOPED_TRACE(d.server + ":" + d.path);
        EXPECT_EQ(e.Sum("mfsmon_disk_used_bytes", {{"server", d.server}, {"path", d.path}}),
                  d.used);
        EXPECT_EQ(e.Sum("mfsmon_disk_total_bytes", {{"server", d.server}, {"path", d.path}}),
                  d.total);
        EXPECT_EQ(
            e.Select("mfsmon_disk_read_bytes", {{"server", d.server}, {"path", d.path}}).size(),
            3u);
    }
}

// mfscli -SIG: the cluster's total space. Rendered from that run's own INFO answer: the
// snapshot's INFO is the -SIC run's, and between two runs of settling the reconnecting
// chunkservers changed the total (4.59.2: 719 GB in one, 411 GB in the other).
TEST_P(RecordedState, SpaceMatchesMfscli) {
    if (!fs::exists(OptionDir("SIG"))) GTEST_SKIP() << "no -SIG recording in this state";
    auto snap = Snapshot();
    const auto infos = MasterAnswersIn(OptionDir("SIG"), protocol::kMatoclInfo);
    ASSERT_FALSE(infos.empty());
    auto info = protocol::DecodeInfo(ReadPacket(infos.front().path).payload);
    ASSERT_TRUE(info) << info.error().message;
    snap.info = info.value();
    const Exposition e = Render(snap).exposition;
    double total = 0;
    if (V3()) {
        total = static_cast<double>(ParseU64(ReadMfscliText(OptionDir("SIG") / "mfscli.txt")
                                                 .KeyValues("master info:")
                                                 .at("total space")));
    } else {
        total = ReadMfscliJson(OptionDir("SIG") / "mfscli.json")
                    .at("dataset")
                    .at("info")
                    .at("general")
                    .at("total_space")
                    .get<double>();
    }
    EXPECT_EQ(e.Sum("mfsmon_space_total_bytes"), total);
}

// mfscli -SMB: connected metaloggers (none in no-metalogger).
TEST_P(RecordedState, MetaloggersMatchMfscli) {
    if (!fs::exists(OptionDir("SMB"))) GTEST_SKIP() << "no -SMB recording in this state";
    const Exposition e = Render(Snapshot()).exposition;
    std::size_t printed = 0;
    if (V3()) {
        printed = ReadMfscliText(OptionDir("SMB") / "mfscli.txt")
                      .Table("metadata backup loggers:")
                      .size();
    } else {
        printed =
            ReadMfscliJson(OptionDir("SMB") / "mfscli.json").at("dataset").at("metaloggers").size();
    }
    EXPECT_EQ(e.Sum("mfsmon_metaloggers"), static_cast<double>(printed));
    EXPECT_EQ(e.Sum("mfsmon_metalogger_info").value_or(0), static_cast<double>(printed));
    if (GetParam().state == "no-metalogger") {
        EXPECT_EQ(printed, 0u);
    } else {
        EXPECT_GE(printed, 1u);
    }
}

// 3.0.117 mfscli -SIL: both loops' times and the filesystem check's counts, or "no data".
void ExpectLoopsLikeText(const MfscliText& text, const Exposition& e) {
    const auto loop = text.Table("chunk loop");
    ASSERT_FALSE(loop.empty());
    if (loop.size() == 1 && loop[0].at(1) == "no data") {
        EXPECT_FALSE(e.Has("mfsmon_chunk_loop_start_timestamp_seconds"));
        EXPECT_FALSE(e.Has("mfsmon_chunk_loop_operations"));
    } else {
        std::map<std::string, std::string> times;
        for (const auto& f : loop) {
            if (f.size() == 3) times[f[1]] = f[2];
        }
        EXPECT_EQ(e.Sum("mfsmon_chunk_loop_start_timestamp_seconds"),
                  static_cast<double>(ParseU64(times.at("start:"))));
        EXPECT_EQ(e.Sum("mfsmon_chunk_loop_end_timestamp_seconds"),
                  static_cast<double>(ParseU64(times.at("end:"))));
        // 3.0.117's 72-byte answer: 16 counters (the decoder test maps them to mfscli's lines).
        EXPECT_EQ(e.Select("mfsmon_chunk_loop_operations").size(), 16u);
    }
    EXPECT_EQ(e.Sum("mfsmon_scrape_part_success", {{"part", "chunk_loop"}}), 1.0);
    std::map<std::string, double> check;
    for (const auto& f : text.Table("check loop")) {
        if (f.size() == 3) check[f[1]] = static_cast<double>(ParseU64(f[2]));
    }
    if (check.empty()) {  // "check loop: no data"
        EXPECT_FALSE(e.Has("mfsmon_fs_check_files"));
        return;
    }
    EXPECT_EQ(e.Sum("mfsmon_fs_check_start_timestamp_seconds"), check.at("start:"));
    EXPECT_EQ(e.Sum("mfsmon_fs_check_end_timestamp_seconds"), check.at("end:"));
    EXPECT_EQ(e.Sum("mfsmon_fs_check_files", {{"state", "all"}}), check.at("files:"));
    EXPECT_EQ(e.Sum("mfsmon_fs_check_files", {{"state", "missing"}}), check.at("missing files:"));
    EXPECT_EQ(e.Sum("mfsmon_fs_check_chunks", {{"state", "missing"}}), check.at("missing chunks:"));
}

// 4.59.2 mfscli -j -SIL: the chunk loop's operations and the filesystem check loop's counts.
void ExpectLoopsLikeJson(const nlohmann::json& info, const Exposition& e) {
    const auto& loop = info.at("chunk_loop");
    ASSERT_FALSE(loop.is_null());
    EXPECT_EQ(e.Sum("mfsmon_chunk_loop_start_timestamp_seconds"),
              loop.at("start_time").get<double>());
    EXPECT_EQ(e.Sum("mfsmon_chunk_loop_end_timestamp_seconds"), loop.at("end_time").get<double>());
    const auto ops = e.Select("mfsmon_chunk_loop_operations");
    EXPECT_GE(ops.size(), 20u);
    for (const auto* s : ops) {
        const std::string& op = s->labels.at("operation");
        ASSERT_TRUE(loop.contains(op)) << op;
        EXPECT_EQ(s->value, loop.at(op).get<double>()) << op;
    }
    const auto& fs_loop = info.at("fs_loop");
    if (fs_loop.is_null()) {
        EXPECT_FALSE(e.Has("mfsmon_fs_check_files"));
        return;
    }
    EXPECT_EQ(e.Sum("mfsmon_fs_check_end_timestamp_seconds"), fs_loop.at("end_time").get<double>());
    EXPECT_EQ(e.Sum("mfsmon_fs_check_files", {{"state", "all"}}),
              fs_loop.at("files").get<double>());
    EXPECT_EQ(e.Sum("mfsmon_fs_check_files", {{"state", "missing"}}),
              fs_loop.at("missing_files").get<double>());
    EXPECT_EQ(e.Sum("mfsmon_fs_check_chunks", {{"state", "missing"}}),
              fs_loop.at("missing_chunks").get<double>());
}

TEST_P(RecordedState, LoopsMatchMfscli) {
    const Exposition e = Render(Snapshot()).exposition;
    if (V3()) {
        ExpectLoopsLikeText(ReadMfscliText(OptionDir("SIL") / "mfscli.txt"), e);
    } else {
        ExpectLoopsLikeJson(
            ReadMfscliJson(OptionDir("SIL") / "mfscli.json").at("dataset").at("info"), e);
    }
}

// The health series say what the report says.
TEST_P(RecordedState, HealthSeriesFollowTheReport) {
    const auto snap = Snapshot();
    const health::Report report = health::ClusterHealthReport(snap, health::RecoveryTrends{});
    const Exposition e = Render(snap).exposition;
    EXPECT_EQ(e.Sum("mfsmon_health_status"), static_cast<double>(report.state));
    EXPECT_EQ(e.Sum("mfsmon_health_finding").value_or(0),
              static_cast<double>(report.findings.size()));
    for (const auto& f : report.findings) {
        EXPECT_TRUE(e.Sum("mfsmon_health_finding", {{"code", f.code}}).has_value()) << f.code;
    }
}

INSTANTIATE_TEST_SUITE_P(AllRecordings, RecordedState, testing::ValuesIn(AllStates()), StateName);

// --- health in known states --------------------------------------------------------------

TEST(PrometheusHealth, CsKilledIsCriticalWithMissingChunks) {
    for (const char* v : {"3.0.117", "4.59.2"}) {
        SCOPED_TRACE(v);
        const Exposition e = Render(RecordedSnapshot(v, "cs-killed")).exposition;
        EXPECT_GE(
            e.Sum("mfsmon_health_finding", {{"code", "replicas.missing"}, {"severity", "critical"}})
                .value_or(0),
            1.0);
        EXPECT_EQ(e.Sum("mfsmon_health_status"), 2.0);
    }
}

TEST(PrometheusHealth, HealthyIsOk) {
    for (const char* v : {"3.0.117", "4.59.2"}) {
        SCOPED_TRACE(v);
        const Exposition e = Render(RecordedSnapshot(v, "healthy")).exposition;
        EXPECT_EQ(e.Sum("mfsmon_health_status"), 0.0);
        for (const auto* s : e.Select("mfsmon_health_finding")) {
            EXPECT_EQ(s->labels.at("severity"), "ok") << s->labels.at("code");
        }
        // A healthy non-empty cluster: the deficit sum exists and is 0.
        double deficit = 0;
        for (const char* state : {"missing", "endangered", "undergoal"}) {
            const auto sum = e.Sum("mfsmon_chunks", {{"matrix", "all"}, {"state", state}});
            ASSERT_TRUE(sum.has_value()) << state;
            deficit += *sum;
        }
        EXPECT_EQ(deficit, 0.0);
    }
}

// --- parts that failed or were not asked -------------------------------------------------

// The families each part feeds (docs/metrics.md).
bool BelongsTo(const std::string& name, const std::string& part) {
    if (part == "matrix") {
        return name == "mfsmon_chunks" || name == "mfsmon_chunks_by_storage" ||
               name.starts_with("mfsmon_chunk_matrix_");
    }
    if (part == "chunkservers") {
        return name.starts_with("mfsmon_chunkserver_") &&
               name != "mfsmon_chunkserver_disks_success";
    }
    if (part == "disks") {
        return name.starts_with("mfsmon_disk_") || name == "mfsmon_chunkserver_disks_success";
    }
    if (part == "metaloggers") return name.starts_with("mfsmon_metalogger");
    if (part == "chunk_loop") return name.starts_with("mfsmon_chunk_loop_");
    if (part == "fs_check") return name.starts_with("mfsmon_fs_check_");
    if (part == "storage_classes") {
        return name.starts_with("mfsmon_storage_class_") &&
               !name.starts_with("mfsmon_storage_class_matrix_");
    }
    if (part == "class_matrices") return name.starts_with("mfsmon_storage_class_matrix_");
    if (part == "missing_files") return name.starts_with("mfsmon_missing_chunk_list_");
    ADD_FAILURE() << "unknown part " << part;
    return false;
}

model::ChunkMatrices OneClassMatrices() {
    model::ChunkMatrices m;
    m.combined.all[2][2] = 40;
    m.combined.all[1][0] = 3;
    m.combined.regular = m.combined.all;
    return m;
}

// 4.59.2 cs-killed with every part read: the filesystem check loop and the missing list of
// missing-files (the only state whose loop had finished a pass) and per-class matrices (no
// recording has them: 4.59.2 was recorded with the whole-cluster request only).
model::ClusterSnapshot EveryPart() {
    auto snap = RecordedSnapshot("4.59.2", "cs-killed");
    auto later = RecordedSnapshot("4.59.2", "missing-files");
    snap.fs_check = later.fs_check;
    snap.missing_files = later.missing_files;
    std::vector<model::ClassMatrices> classes;
    classes.emplace_back(2, OneClassMatrices());
    classes.emplace_back(3, MakeError(ErrorKind::kProtocol, "bad matrix"));
    snap.class_matrices.emplace(std::move(classes));
    return snap;
}

template <typename T>
void SetPart(model::Part<T>& part, bool error) {
    if (error) {
        part.emplace(MakeError(ErrorKind::kTimeout, "timed out"));
    } else {
        part.reset();
    }
}

model::ClusterSnapshot WithPart(const std::string& part, bool error) {
    auto snap = EveryPart();
    if (part == "matrix") SetPart(snap.matrices, error);
    if (part == "chunkservers") SetPart(snap.chunkservers, error);
    if (part == "disks") SetPart(snap.disks, error);
    if (part == "metaloggers") SetPart(snap.metaloggers, error);
    if (part == "chunk_loop") SetPart(snap.chunk_loop, error);
    if (part == "fs_check") SetPart(snap.fs_check, error);
    if (part == "storage_classes") SetPart(snap.storage_classes, error);
    if (part == "class_matrices") SetPart(snap.class_matrices, error);
    if (part == "missing_files") SetPart(snap.missing_files, error);
    return snap;
}

class FailedPart : public testing::TestWithParam<std::string> {};

TEST_P(FailedPart, HasNoSeriesAndSaysSo) {
    const std::string part = GetParam();
    const Exposition all = Render(EveryPart()).exposition;
    std::size_t before = 0;
    for (const auto& s : all.samples) before += BelongsTo(s.name, part) ? 1 : 0;
    ASSERT_GT(before, 0u) << "the base snapshot has no series of " << part;
    EXPECT_EQ(all.Sum("mfsmon_scrape_part_success", {{"part", part}}), 1.0);

    const Rendered failed = Render(WithPart(part, true));
    for (const auto& s : failed.exposition.samples) EXPECT_FALSE(BelongsTo(s.name, part)) << s.name;
    EXPECT_EQ(failed.exposition.Sum("mfsmon_scrape_part_success", {{"part", part}}), 0.0);
    ExpectPromtoolClean(failed.text);

    const Exposition unasked = Render(WithPart(part, false)).exposition;
    for (const auto& s : unasked.samples) EXPECT_FALSE(BelongsTo(s.name, part)) << s.name;
    EXPECT_TRUE(unasked.Select("mfsmon_scrape_part_success", {{"part", part}}).empty());
    // The other parts are untouched.
    EXPECT_EQ(unasked.Select("mfsmon_scrape_part_success").size(), 8u);
}

INSTANTIATE_TEST_SUITE_P(EveryPart, FailedPart,
                         testing::Values("matrix", "chunkservers", "disks", "metaloggers",
                                         "chunk_loop", "fs_check", "storage_classes",
                                         "class_matrices", "missing_files"),
                         [](const testing::TestParamInfo<std::string>& info) {
                             return info.param;
                         });

TEST(PrometheusParts, ClassMatricesReportEachClass) {
    const Exposition e = Render(EveryPart()).exposition;
    EXPECT_EQ(e.Sum("mfsmon_storage_class_matrix_success", {{"class_id", "2"}}), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_storage_class_matrix_success", {{"class_id", "3"}}), 0.0);
    EXPECT_EQ(e.Sum("mfsmon_storage_class_matrix_chunks",
                    {{"class_id", "2"}, {"matrix", "all"}, {"state", "missing"}}),
              3.0);
    EXPECT_EQ(e.Select("mfsmon_storage_class_matrix_chunks", {{"class_id", "2"}}).size(), 14u);
    EXPECT_TRUE(e.Select("mfsmon_storage_class_matrix_chunks", {{"class_id", "3"}}).empty());
}

TEST(PrometheusParts, OneUnreachableChunkserverLosesOnlyItsDisks) {
    auto snap = RecordedSnapshot("4.59.2", "healthy");
    auto& servers = snap.disks->value();
    ASSERT_GE(servers.size(), 2u);
    const std::string bad = servers[0].server;
    servers[0].disks = MakeError(ErrorKind::kConnect, "connection refused");
    const Rendered r = Render(snap);
    const Exposition& e = r.exposition;
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_disks_success", {{"server", bad}}), 0.0);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_disks_success"), static_cast<double>(servers.size() - 1));
    EXPECT_EQ(e.Sum("mfsmon_scrape_part_success", {{"part", "disks"}}), 1.0);
    for (const auto& s : e.samples) {
        if (s.name.starts_with("mfsmon_disk_")) {
            EXPECT_NE(s.labels.at("server"), bad) << s.name;
        }
    }
    EXPECT_EQ(e.Select("mfsmon_disk_used_bytes").size(), servers.size() - 1);
    EXPECT_GE(
        e.Sum("mfsmon_health_finding", {{"code", "disks.chunkserver_unreachable"}}).value_or(0),
        1.0);
    ExpectPromtoolClean(r.text);
}

// --- states no recording has ----------------------------------------------------------

// 4.59.2 healthy with what the recordings never show: a server in heavy-load grace with
// labels, one in a timed maintenance, a scanning disk, a disk with an I/O error, an invalid
// disk line.
model::ClusterSnapshot RareStates() {
    auto snap = RecordedSnapshot("4.59.2", "healthy");
    auto& servers = snap.chunkservers->value();
    servers.at(0).gracetime = 30;
    servers.at(0).labelmask = 0b101;  // A, C
    servers.at(1).flags |= model::kCsFlagMaintenance;
    servers.at(1).maintenance_timeout = 600;
    auto& disks = snap.disks->value().at(0).disks.value();
    model::Disk scanning = disks.at(0);
    scanning.path = "/mnt/scanning/";
    scanning.flags = model::Disk::kScanning;
    scanning.used = 42;  // percent, while scanning
    scanning.total = 0;
    model::Disk failing = disks.at(0);
    failing.path = "/mnt/failing/";
    failing.error_time = 1795600000;
    failing.error_chunk_id = 0xABCDEF;
    model::Disk invalid;
    invalid.path = "/mnt/invalid/";
    invalid.flags = model::Disk::kInvalid | model::Disk::kDamaged;
    disks.push_back(scanning);
    disks.push_back(failing);
    disks.push_back(invalid);
    return snap;
}

TEST(PrometheusRareStates, HaveTheirSeries) {
    const auto snap = RareStates();
    const std::string s0 = model::ChunkServerName(snap.chunkservers->value().at(0));
    const std::string s1 = model::ChunkServerName(snap.chunkservers->value().at(1));
    const std::string d0 = snap.disks->value().at(0).server;
    const Rendered r = Render(snap);
    const Exposition& e = r.exposition;
    ExpectPromtoolClean(r.text);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_queue_state", {{"server", s0}, {"state", "grace"}}), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_queue_state", {{"server", s0}}), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_grace_remaining_seconds", {{"server", s0}}), 30.0);
    EXPECT_EQ(e.Select("mfsmon_chunkserver_grace_remaining_seconds").size(), 1u);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_label", {{"server", s0}, {"label", "A"}}), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_label", {{"server", s0}, {"label", "C"}}), 1.0);
    EXPECT_EQ(e.Select("mfsmon_chunkserver_label").size(), 2u);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_maintenance", {{"server", s1}}), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_chunkserver_maintenance_remaining_seconds", {{"server", s1}}), 600.0);

    const std::map<std::string, std::string> scanning = {{"server", d0},
                                                         {"path", "/mnt/scanning/"}};
    EXPECT_EQ(e.Sum("mfsmon_disk_scanning", scanning), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_disk_scan_progress_ratio", scanning), 0.42);
    EXPECT_FALSE(e.Sum("mfsmon_disk_used_bytes", scanning).has_value());  // the percent
    EXPECT_FALSE(e.Sum("mfsmon_disk_total_bytes", scanning).has_value());
    EXPECT_EQ(e.Select("mfsmon_disk_scan_progress_ratio").size(), 1u);

    const std::map<std::string, std::string> failing = {{"server", d0}, {"path", "/mnt/failing/"}};
    EXPECT_EQ(e.Sum("mfsmon_disk_last_error_timestamp_seconds", failing), 1795600000.0);
    EXPECT_EQ(e.Sum("mfsmon_disk_last_error_info",
                    {{"server", d0}, {"path", "/mnt/failing/"}, {"chunk", "0x0000000000ABCDEF"}}),
              1.0);
    EXPECT_EQ(e.Select("mfsmon_disk_last_error_info").size(), 1u);

    const std::map<std::string, std::string> invalid = {{"server", d0}, {"path", "/mnt/invalid/"}};
    EXPECT_EQ(e.Sum("mfsmon_disk_invalid", invalid), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_disk_damaged", invalid), 1.0);
    EXPECT_EQ(e.Sum("mfsmon_disk_last_error_timestamp_seconds", invalid), 0.0);
    for (const char* name : {"mfsmon_disk_used_bytes", "mfsmon_disk_total_bytes",
                             "mfsmon_disk_chunks", "mfsmon_disk_read_bytes"}) {
        EXPECT_TRUE(e.Select(name, invalid).empty()) << name;
    }
}

// --- the docs ------------------------------------------------------------------------------

// docs/metrics.md lists exactly the families the renderer emits (plus the exporter's two).
TEST(PrometheusDocs, ListEveryFamily) {
    std::set<std::string> emitted = {"mfsmon_up", "mfsmon_scrape_duration_seconds"};
    auto collect = [&emitted](const model::ClusterSnapshot& snap) {
        for (const auto& name : Render(snap).exposition.families) emitted.insert(name);
    };
    for (const auto& c : AllStates()) collect(RecordedSnapshot(c.version, c.state));
    collect(EveryPart());
    collect(RareStates());

    const fs::path doc = FixturesDir() / ".." / ".." / "docs" / "metrics.md";
    std::ifstream in(doc);
    ASSERT_TRUE(in) << doc.string();
    std::set<std::string> documented;
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("## The exporter's own metrics")) break;  // the exporter's part
        if (!line.starts_with("| `mfsmon_")) continue;
        documented.insert(line.substr(3, line.find('`', 3) - 3));
    }
    EXPECT_EQ(documented, emitted);
}

// --- hostile label values ----------------------------------------------------------------

TEST(PrometheusLabels, HostilePathAndClassNameStayOneValidLine) {
    auto snap = RecordedSnapshot("4.59.2", "healthy");
    auto& disks = snap.disks->value()[0].disks.value();
    ASSERT_GE(disks.size(), 1u);
    const std::string server = snap.disks->value()[0].server;
    disks[0].path = "/mnt/\"quoted\"\\back\nslash\xff end\x01";
    disks[0].error_time = 1795600000;
    disks[0].error_chunk_id = 0x1A2B;
    // A second disk whose path cleans up to the same text must not become the same series.
    model::Disk twin = disks[0];
    twin.path = "/mnt/\"quoted\"\\back\rslash\xfe end\x02";
    disks.push_back(twin);
    auto& classes = snap.storage_classes->value().classes;
    ASSERT_FALSE(classes.empty());
    classes[0].name = "cl\"as\\s\n\xc3(\xe2\x80\xa8\xed\xa0\x80\xc0\xaf\xf0\x9f\x98\x80";

    const Rendered r = Render(snap);
    ExpectPromtoolClean(r.text);
    const std::string clean = "/mnt/\"quoted\"\\back\xEF\xBF\xBDslash\xEF\xBF\xBD end\xEF\xBF\xBD";
    EXPECT_EQ(r.exposition.Sum("mfsmon_disk_damaged", {{"server", server}, {"path", clean}}), 0.0);
    EXPECT_EQ(
        r.exposition.Sum("mfsmon_disk_damaged", {{"server", server}, {"path", clean + " #2"}}),
        0.0);
    EXPECT_EQ(
        r.exposition.Sum("mfsmon_disk_last_error_info",
                         {{"server", server}, {"path", clean}, {"chunk", "0x0000000000001A2B"}}),
        1.0);
    EXPECT_EQ(r.exposition.Sum("mfsmon_storage_class_info",
                               {{"name",
                                 "cl\"as\\s\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD"
                                 "\xEF\xBF\xBD\xEF\xBF\xBD\xf0\x9f\x98\x80"}}),
              1.0);
}

TEST(PrometheusLabels, LabelValueKeepsValidUtf8AndReplacesTheRest) {
    using render::prom::LabelValue;
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(LabelValue("/mnt/hdd1"), "/mnt/hdd1");
    EXPECT_EQ(LabelValue("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    EXPECT_EQ(LabelValue("a\nb\tc\x7f"), "a" + fffd + "b" + fffd + "c" + fffd);
    EXPECT_EQ(LabelValue("\xc2\x85"), fffd);          // C1 control (NEL)
    EXPECT_EQ(LabelValue("\xe2\x80\xa9"), fffd);      // paragraph separator
    EXPECT_EQ(LabelValue("\xc0\xaf"), fffd + fffd);   // overlong '/': 0xC0 is never a lead
    EXPECT_EQ(LabelValue("\xe0\x80\xaf"), fffd);      // overlong 3-byte form
    EXPECT_EQ(LabelValue("\xed\xa0\x80"), fffd);      // UTF-16 surrogate
    EXPECT_EQ(LabelValue("\xf4\x90\x80\x80"), fffd);  // above U+10FFFF
    EXPECT_EQ(LabelValue("x\xe2\x82"), "x" + fffd);   // truncated at the end
    EXPECT_EQ(LabelValue("\xe2\x82y"), fffd + "y");   // truncated before ASCII
    EXPECT_EQ(LabelValue("\x80\xbf"), fffd + fffd);   // stray continuation bytes
    EXPECT_EQ(LabelValue(std::string("a\0b", 3)), "a" + fffd + "b");
}

}  // namespace
}  // namespace mfsmon::test
