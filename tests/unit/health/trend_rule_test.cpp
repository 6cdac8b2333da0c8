// The history's view in the checks: samples built from recorded real cluster states
// (marked-for-removal, cs-killed) and series of them in time, through BuildRecoveryTrends,
// into the replica rule's findings, details and perfdata. What is checked is what an admin
// reads: the clause after the count, the stall finding and its cause, perfdata present only
// when known, and "no history yet" on the first run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "health/recovery_trends.h"
#include "health/replicas_rule.h"
#include "health/stall_causes.h"
#include "health/trend_rule.h"
#include "model/trend_sample_builder.h"
#include "recorded_snapshot.h"

namespace mfsmon::test {
namespace {

using health::Finding;
using health::RecoveryTrends;
using health::Report;
using model::TrendSample;

constexpr std::int64_t kT0 = 1796280000000;  // ms

model::ReplicaSnapshot ReplicasOf(const model::ClusterSnapshot& snap) {
    model::ReplicaSnapshot rs;
    rs.master_host = snap.master_host;
    rs.master_port = snap.master_port;
    rs.info = snap.info;
    rs.matrices = snap.matrices->value();
    return rs;
}

// A copy of `base` at `t_ms` whose first goal row has `undergoal` chunks below goal and every
// other row none: a recovery series with real rows and identities around it.
TrendSample WithUndergoal(TrendSample base, std::int64_t t_ms, std::uint64_t undergoal) {
    base.time_ms = t_ms;
    bool first = true;
    for (auto& r : base.rows) {
        if (r.row == 0) continue;
        r.all[model::ChunkClass::kMissing] = 0;
        r.all[model::ChunkClass::kEndangered] = 0;
        r.all[model::ChunkClass::kUndergoal] = first ? undergoal : 0;
        r.regular = r.all;
        first = false;
    }
    return base;
}

const Finding* FindCode(const std::vector<Finding>& findings, const std::string& code) {
    for (const auto& f : findings) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

bool HasPerf(const Report& r, const std::string& label) {
    for (const auto& p : r.perfdata) {
        if (p.label == label) return true;
    }
    return false;
}

bool HasDetail(const Report& r, const std::string& part) {
    for (const auto& d : r.details) {
        if (d.find(part) != std::string::npos) return true;
    }
    return false;
}

class TrendRule : public ::testing::TestWithParam<const char*> {
  protected:
    model::ClusterSnapshot snap_ = RecordedSnapshot(GetParam(), "cs-killed");
    TrendSample base_ = model::BuildSample(model::InputsOf(snap_, kT0));
    model::RowMeaning rows_ = snap_.matrices->value().rows;
};

TEST_P(TrendRule, FirstRunSaysNoHistoryYetAndHasNoRatePerfdata) {
    const auto trends = health::BuildRecoveryTrends({}, base_, rows_, {});
    const Report r = health::EvaluateReplicas(ReplicasOf(snap_),
                                              health::ReplicasThresholds::Defaults(), &trends);
    EXPECT_TRUE(HasDetail(r, "no history yet"));
    EXPECT_NE(r.summary.find("no history yet"), std::string::npos) << r.summary;
    EXPECT_FALSE(HasPerf(r, "recovery_rate"));
    EXPECT_FALSE(HasPerf(r, "recovery_eta"));
}

TEST_P(TrendRule, SteadyRecoveryAddsRateAndEtaToTheRowFindingAndPerfdata) {
    // 1000 chunks falling 5 per 10 s: 0.5/s, 30/min.
    std::vector<TrendSample> previous;
    for (int i = 0; i < 30; ++i)
        previous.push_back(WithUndergoal(base_, kT0 + i * 10000, 1000 - 5 * i));
    const TrendSample now = WithUndergoal(base_, kT0 + 30 * 10000, 850);
    const auto trends = health::BuildRecoveryTrends(previous, now, rows_, {});
    ASSERT_EQ(trends.total.phase, trend::Phase::kRecovering);

    model::ReplicaSnapshot rs = ReplicasOf(snap_);
    const Report r = health::EvaluateReplicas(rs, health::ReplicasThresholds::Defaults(), &trends);
    // The recorded state's own rows carry the clause (their counts are the recording's; the
    // trend is the series').
    EXPECT_NE(r.summary.find("recovering 30/min"), std::string::npos) << r.summary;
    EXPECT_NE(r.summary.find("ETA"), std::string::npos) << r.summary;
    EXPECT_TRUE(HasPerf(r, "recovery_rate"));
    EXPECT_TRUE(HasPerf(r, "recovery_eta"));
    for (const auto& p : r.perfdata) {
        if (p.label == "recovery_rate") {
            EXPECT_NEAR(p.value, 0.5, 0.01);
        } else if (p.label == "recovery_eta") {
            EXPECT_NEAR(p.value, 850 / 0.5, 850 / 0.5 * 0.1);
        }
    }
    EXPECT_TRUE(HasDetail(r, "trend: below goal: 850 chunks now, recovering"));
}

TEST_P(TrendRule, StalledRecoveryIsAWarningOfItsOwnNamingTheCause) {
    std::vector<TrendSample> previous;
    for (int i = 0; i < 40; ++i) previous.push_back(WithUndergoal(base_, kT0 + i * 60000, 500));
    const TrendSample now = WithUndergoal(base_, kT0 + 40 * 60000, 500);
    const auto trends = health::BuildRecoveryTrends(previous, now, rows_, {});
    ASSERT_EQ(trends.total.phase, trend::Phase::kStalled);
    health::StallCauses causes;
    causes.causes.push_back("the cause");
    const Report r = health::EvaluateReplicas(
        ReplicasOf(snap_), health::ReplicasThresholds::Defaults(), &trends, causes);
    const Finding* f = FindCode(r.findings, "replicas.recovery_stalled");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, health::State::kWarning);
    EXPECT_NE(f->text.find("no progress for 40 min"), std::string::npos) << f->text;
    EXPECT_NE(f->text.find("(the cause)"), std::string::npos) << f->text;
    EXPECT_FALSE(HasPerf(r, "recovery_eta"));  // unknown: absent, not 0
}

TEST_P(TrendRule, WithoutHistoryNothingIsAdded) {
    const Report with = health::EvaluateReplicas(ReplicasOf(snap_),
                                                 health::ReplicasThresholds::Defaults(), nullptr);
    RecoveryTrends off;  // enabled = false, as --no-history
    const Report also =
        health::EvaluateReplicas(ReplicasOf(snap_), health::ReplicasThresholds::Defaults(), &off);
    EXPECT_EQ(with.summary, also.summary);
    EXPECT_EQ(with.details, also.details);
    EXPECT_EQ(with.perfdata.size(), also.perfdata.size());
}

INSTANTIATE_TEST_SUITE_P(Recorded, TrendRule, ::testing::Values("3.0.117", "4.59.2"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& c : name) {
                                 if (c == '.') c = '_';
                             }
                             return "v" + name;
                         });

TEST(SampleBuilder, MarkedForRemovalStateHoldsTheMarkedDisksAndReadiness) {
    for (const char* version : {"3.0.117", "4.59.2"}) {
        SCOPED_TRACE(version);
        const auto snap = RecordedSnapshot(version, "marked-for-removal");
        const TrendSample s = model::BuildSample(model::InputsOf(snap, kT0));
        ASSERT_TRUE(s.servers_known);
        EXPECT_EQ(s.servers.size(), snap.chunkservers->value().size());
        std::uint32_t marked_chunks = 0;
        for (const auto& sv : s.servers) marked_chunks += sv.marked_chunks;
        EXPECT_GT(marked_chunks, 0u);
        if (snap.disks && *snap.disks) {
            EXPECT_TRUE(s.disks_known);
            ASSERT_FALSE(s.marked_disks.empty());
            EXPECT_EQ(s.marked_disks[0].chunks, marked_chunks);
        }
        // The regular matrix lacks what only the marked disk holds.
        EXPECT_GE(model::RegularDeficit(s), model::AllDeficit(s));
        EXPECT_EQ(model::MarkedDependent(s), model::RegularDeficit(s) - model::AllDeficit(s));
        EXPECT_EQ(s.metadata_id, snap.MetadataId());
    }
}

TEST(SampleBuilder, ASilentChunkserverLeavesTheMarkedDisksUnknown) {
    auto snap = RecordedSnapshot("3.0.117", "marked-for-removal");
    ASSERT_TRUE(snap.disks && *snap.disks);
    auto& disks = snap.disks->value();
    ASSERT_FALSE(disks.empty());
    disks[0].disks = MakeError(ErrorKind::kTimeout, "timed out");
    const TrendSample s = model::BuildSample(model::InputsOf(snap, kT0));
    EXPECT_FALSE(s.disks_known);
    EXPECT_TRUE(s.marked_disks.empty());
}

TEST(SampleBuilder, SeriesMarksAMasterRestartWhereTheChunkLoopWentBack) {
    TrendSample a, b, c;
    a.time_ms = kT0;
    a.loop_start = 100;
    a.loop_end = 160;
    b.time_ms = kT0 + 10000;
    b.loop_start = 160;
    b.loop_end = 220;
    c.time_ms = kT0 + 20000;  // restarted: no pass finished yet
    const std::vector<TrendSample> samples = {a, b, c};
    const auto points = health::SeriesOf(samples, health::Series::kAllDeficit);
    ASSERT_EQ(points.size(), 3u);
    EXPECT_FALSE(points[1].restart);
    EXPECT_TRUE(points[2].restart);
}

TEST(TrendText, RatesReadInTheUnitThatGivesWholeNumbers) {
    EXPECT_EQ(health::RateText(3.5), "3.5/s");
    EXPECT_EQ(health::RateText(0.5), "30/min");
    EXPECT_EQ(health::RateText(-0.5), "30/min");
    EXPECT_EQ(health::RateText(1.0 / 3600), "1/h");
}

}  // namespace
}  // namespace mfsmon::test
