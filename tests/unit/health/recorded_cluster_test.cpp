// The cluster rules on snapshots rebuilt from every recorded state of real 3.0.117 and 4.59.2
// clusters (tests/fixtures, see recorded_snapshot.h): each state's known event must show as
// its code, naming the right server or disk, and nothing else may alert.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "health/assemble.h"
#include "health/chunkservers_rule.h"
#include "health/classes_rule.h"
#include "health/codes.h"
#include "health/disks_rule.h"
#include "health/files_rule.h"
#include "health/master_rule.h"
#include "health/space_rule.h"
#include "recorded_snapshot.h"

namespace mfsmon::test {
namespace {

using health::Evaluation;
using health::State;

// Every rule whose parts were recorded in this state, as `check health` runs them.
Evaluation EvaluateAll(const model::ClusterSnapshot& s) {
    Evaluation ev;
    if (s.chunkservers) health::EvaluateChunkservers(s, health::ChunkserverRules::Defaults(), ev);
    if (s.disks) health::EvaluateDisks(s, health::DiskRules::Defaults(), ev);
    health::EvaluateSpace(s, health::SpaceRules::Defaults(), ev);
    auto master = health::MasterRules::Defaults();
    master.metaloggers = s.metaloggers.has_value();
    health::EvaluateMaster(s, master, ev);
    if (s.storage_classes) health::EvaluateClasses(s, ev);
    if (s.fs_check && s.missing_files) health::EvaluateFiles(s, 10, ev);
    return ev;
}

// "code subject" of every finding that is not OK, e.g. "chunkservers.disconnected
// 198.18.0.10:9427".
std::multiset<std::string> Alerts(const Evaluation& ev) {
    std::multiset<std::string> out;
    for (const auto& f : ev.findings) {
        if (f.severity == State::kOk) continue;
        out.insert(f.subject.empty() ? f.code : f.code + " " + f.subject);
    }
    return out;
}

struct Case {
    const char* version;
    const char* state;
    std::multiset<std::string> alerts;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.version << "/" << c.state;
}

std::string Name(const testing::TestParamInfo<Case>& info) {
    std::string n = std::string(info.param.version) + "_" + info.param.state;
    for (char& c : n) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return n;
}

class RecordedCluster : public testing::TestWithParam<Case> {};

TEST_P(RecordedCluster, ShowsExactlyTheRecordedEvents) {
    const Case& c = GetParam();
    const auto snap = RecordedSnapshot(c.version, c.state);
    const Evaluation ev = EvaluateAll(snap);
    std::string all;
    for (const auto& f : ev.findings) all += "  " + f.code + ": " + f.text + "\n";
    EXPECT_EQ(Alerts(ev), c.alerts) << "findings:\n" << all;
    // Every finding's code is in the registry (the docs and `explain` know it).
    for (const auto& f : ev.findings) EXPECT_NE(health::FindCode(f.code), nullptr) << f.code;
}

const std::string kCs4 = "198.18.0.10:9425";
const std::string kCs5 = "198.18.0.10:9426";
const std::string kCs6 = "198.18.0.10:9427";

INSTANTIATE_TEST_SUITE_P(
    States, RecordedCluster,
    testing::Values(Case{"3.0.117", "healthy", {}},
                    Case{"3.0.117", "cs-killed", {"chunkservers.disconnected " + kCs6}},
                    Case{"3.0.117",
                         "maintenance",
                         {"chunkservers.disconnected " + kCs6, "chunkservers.maintenance " + kCs5}},
                    // Goal 4 cannot be kept on the 3 servers left (class "4" is in use).
                    Case{"3.0.117",
                         "three-killed",
                         {"chunkservers.disconnected " + kCs4, "chunkservers.disconnected " + kCs5,
                          "chunkservers.disconnected " + kCs6, "classes.unfulfillable 4"}},
                    Case{"3.0.117", "settling", {}},
                    Case{"3.0.117",
                         "marked-for-removal",
                         {"disks.marked_for_removal " + kCs4 + ":/mnt/mfslab3/run/cs4/hdd/"}},
                    // The states build on each other: the disk marked before is still marked.
                    Case{"3.0.117",
                         "no-metalogger",
                         {"metaloggers.none",
                          "disks.marked_for_removal " + kCs4 + ":/mnt/mfslab3/run/cs4/hdd/"}},
                    Case{"3.0.117", "missing-files", {"files.missing"}},
                    Case{"4.59.2", "healthy", {}},
                    Case{"4.59.2", "cs-killed", {"chunkservers.disconnected " + kCs6}},
                    // The master said EC4+1's archive state was "overloaded" (can_be_fulfilled 2)
                    // while one server was down and one in maintenance.
                    Case{"4.59.2",
                         "maintenance",
                         {"chunkservers.disconnected " + kCs6, "chunkservers.maintenance " + kCs5,
                          "classes.unfulfillable EC4+1"}},
                    // EC 4+1 needs 5 servers; 4 were left.
                    Case{"4.59.2",
                         "three-killed",
                         {"chunkservers.disconnected " + kCs4, "chunkservers.disconnected " + kCs5,
                          "chunkservers.disconnected " + kCs6, "classes.unfulfillable EC4+1"}},
                    Case{"4.59.2", "settling", {}},
                    Case{"4.59.2",
                         "marked-for-removal",
                         {"disks.marked_for_removal " + kCs4 + ":/mnt/mfslab4/run/cs4/hdd/"}},
                    Case{"4.59.2",
                         "no-metalogger",
                         {"metaloggers.none",
                          "disks.marked_for_removal " + kCs4 + ":/mnt/mfslab4/run/cs4/hdd/"}},
                    Case{"4.59.2", "missing-files", {"files.missing"}}),
    Name);

}  // namespace
}  // namespace mfsmon::test

namespace mfsmon::test {
namespace {

// The missing-files state: the master's missing-chunks list, resolved to paths, in the
// finding's lines ("as of" the check loop), with mfscli's type words.
TEST(RecordedCluster, MissingFilesAreListedByPath) {
    const auto snap = RecordedSnapshot("3.0.117", "missing-files");
    health::Evaluation ev;
    health::EvaluateFiles(snap, 10, ev);
    ASSERT_EQ(ev.findings.size(), 1u);
    const auto& f = ev.findings[0];
    EXPECT_EQ(f.code, "files.missing");
    EXPECT_EQ(f.count, 3u);
    ASSERT_EQ(f.lines.size(), 3u);
    EXPECT_THAT(f.lines[0], testing::HasSubstr("goal1/b2_000000 (inode 44, chunk 0000000000000029 "
                                               "index 0: NO COPY)"));
    EXPECT_THAT(f.text, testing::HasSubstr("as of the master's last filesystem check loop at"));

    health::Evaluation one;
    health::EvaluateFiles(snap, 1, one);
    ASSERT_EQ(one.findings.size(), 1u);
    EXPECT_EQ(one.findings[0].lines.size(), 2u);
    EXPECT_EQ(one.findings[0].lines[1], "... and 2 more");
}

// A marked disk's readiness comes from its server's mfrstatus in the master's list.
TEST(RecordedCluster, MarkedDiskSaysWhetherItIsReady) {
    const auto snap = RecordedSnapshot("4.59.2", "marked-for-removal");
    health::Evaluation ev;
    health::EvaluateDisks(snap, health::DiskRules::Defaults(), ev);
    bool seen = false;
    for (const auto& f : ev.findings) {
        if (f.code != "disks.marked_for_removal") continue;
        seen = true;
        EXPECT_THAT(f.text, testing::HasSubstr("not ready (in progress)"));
        EXPECT_EQ(f.count, 63u);  // chunks on the disk (the recording's tdchunks)
    }
    EXPECT_TRUE(seen);
    EXPECT_THAT(
        ev.details,
        testing::Contains(testing::HasSubstr("chunks still depend on disks marked for removal")));
}

TEST(RecordedCluster, HealthSummaryNamesTheWorstFindingFirst) {
    const auto snap = RecordedSnapshot("3.0.117", "cs-killed");
    health::Evaluation ev = EvaluateAll(snap);
    const auto report = health::Assemble(std::move(ev), {}, "no problems found");
    EXPECT_EQ(report.state, State::kCritical);
    EXPECT_THAT(report.summary,
                testing::StartsWith("chunkserver 198.18.0.10:9427 (id 6) disconnected"));
    const auto muted = health::Assemble(EvaluateAll(snap), {"chunkservers"}, "no problems found");
    EXPECT_EQ(muted.state, State::kOk);
    EXPECT_EQ(muted.summary, "no problems found (1 muted)");
}

}  // namespace
}  // namespace mfsmon::test
