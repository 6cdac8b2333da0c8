#include "health/replicas_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mfsmon::health {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

model::ReplicaSnapshot Snapshot(model::RowMeaning rows = model::RowMeaning::kGoal) {
    model::ReplicaSnapshot s;
    s.master_host = "198.18.0.10";
    s.master_port = 9421;
    s.matrices.rows = rows;
    return s;
}

// Puts n chunks of goal `goal` with `copies` copies into both matrices.
void Add(model::ReplicaSnapshot& s, int goal, int copies, std::uint32_t n) {
    s.matrices.combined.all[goal][copies] += n;
    s.matrices.combined.regular[goal][copies] += n;
}

const Perfdatum* FindPerf(const Report& r, const std::string& label) {
    for (const auto& p : r.perfdata) {
        if (p.label == label) return &p;
    }
    return nullptr;
}

TEST(ReplicasRule, HealthyIsOkNoErrors) {
    auto s = Snapshot();
    Add(s, 3, 3, 50);
    Add(s, 1, 1, 20);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kOk);
    EXPECT_EQ(r.summary, "No errors");
    ASSERT_NE(FindPerf(r, "stable"), nullptr);
    EXPECT_EQ(FindPerf(r, "stable")->value, 70);
    EXPECT_NE(FindPerf(r, "goal3_stable"), nullptr);
    EXPECT_EQ(FindPerf(r, "goal2_stable"), nullptr) << "per-goal perfdata only for goals present";
}

TEST(ReplicasRule, UndergoalIsWarningWithClassicWording) {
    auto s = Snapshot();
    Add(s, 3, 2, 30);
    Add(s, 3, 3, 20);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kWarning);
    EXPECT_EQ(r.summary, "30 chunks of goal 3 lack replicas");
    EXPECT_EQ(FindPerf(r, "undergoal")->value, 30);
    EXPECT_EQ(FindPerf(r, "undergoal")->warning->text(), "0");
}

TEST(ReplicasRule, EndangeredIsCritical) {
    auto s = Snapshot();
    Add(s, 3, 1, 7);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kCritical);
    EXPECT_THAT(r.summary, HasSubstr("7 chunks of goal 3 endangered"));
}

TEST(ReplicasRule, MissingIsCriticalLostAndListedFirst) {
    auto s = Snapshot();
    Add(s, 2, 0, 5);
    Add(s, 1, 0, 10);
    Add(s, 4, 3, 30);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kCritical);
    EXPECT_EQ(r.summary,
              "10 chunks of goal 1 lost, 5 chunks of goal 2 lost, 30 chunks of goal 4 lack "
              "replicas");
    EXPECT_EQ(FindPerf(r, "missing")->value, 15);
    EXPECT_EQ(FindPerf(r, "goal1_missing")->value, 10);
}

TEST(ReplicasRule, MarkedForRemovalIsWarningAndNeverLost) {
    // The recorded 3.0.117 marked-for-removal case: "all" is fine, "regular" shows 3
    // missing, some endangered and undergoal.
    auto s = Snapshot();
    s.matrices.combined.all[1][1] = 20;
    s.matrices.combined.all[2][2] = 40;
    s.matrices.combined.all[3][4] = 50;
    s.matrices.combined.regular[1][0] = 3;
    s.matrices.combined.regular[1][1] = 17;
    s.matrices.combined.regular[2][1] = 12;
    s.matrices.combined.regular[2][2] = 28;
    s.matrices.combined.regular[3][2] = 9;
    s.matrices.combined.regular[3][3] = 41;
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kWarning);
    EXPECT_THAT(r.summary, Not(HasSubstr("lost")));
    EXPECT_THAT(r.summary, HasSubstr("24 chunks below goal once disks marked for removal"));
    EXPECT_THAT(r.summary, HasSubstr("3 with their only copy on a marked disk"));
    EXPECT_EQ(FindPerf(r, "missing")->value, 0);
    EXPECT_EQ(FindPerf(r, "marked_for_removal")->value, 24);
    for (const auto& f : r.findings) EXPECT_NE(f.code, "replicas.missing");
}

TEST(ReplicasRule, MarkedThresholdCanBeCritical) {
    auto s = Snapshot();
    s.matrices.combined.all[2][2] = 4;
    s.matrices.combined.regular[2][1] = 4;
    auto t = ReplicasThresholds::Defaults();
    t.marked.critical = std::move(Range::Parse("3")).value();
    EXPECT_EQ(EvaluateReplicas(s, t).state, State::kCritical);
}

TEST(ReplicasRule, ProgressByteIsShownButDoesNotChangeState) {
    auto s = Snapshot();
    Add(s, 2, 2, 10);
    s.matrices.progress = 2;
    Report ok = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(ok.state, State::kOk);
    EXPECT_EQ(ok.summary, "No errors (counters may not be valid - connections in progress)");

    Add(s, 2, 1, 1);
    s.matrices.progress = 1;
    Report crit = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(crit.state, State::kCritical);
    EXPECT_THAT(crit.summary, HasSubstr("disconnections in progress"));
}

TEST(ReplicasRule, LoosenedThresholdsSayWithinThresholds) {
    auto s = Snapshot();
    Add(s, 3, 2, 30);
    auto t = ReplicasThresholds::Defaults();
    t.undergoal.warning = std::move(Range::Parse("100")).value();
    Report r = EvaluateReplicas(s, t);
    EXPECT_EQ(r.state, State::kOk);
    EXPECT_EQ(r.summary, "within thresholds: 30 chunks of goal 3 lack replicas");
}

TEST(ReplicasRule, FourXRowsAreRedundancyLevels) {
    auto s = Snapshot(model::RowMeaning::kRedundancyLevel);
    Add(s, 3, 2, 14);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.summary, "14 chunks of redundancy level 2 lack replicas");
    EXPECT_NE(FindPerf(r, "rl2_undergoal"), nullptr);
}

TEST(ReplicasRule, DeletedChunksAreNotDeficits) {
    auto s = Snapshot();
    Add(s, 0, 0, 4);
    Add(s, 0, 2, 6);
    Report r = EvaluateReplicas(s, ReplicasThresholds::Defaults());
    EXPECT_EQ(r.state, State::kOk);
    EXPECT_EQ(FindPerf(r, "pending_deletion")->value, 6);
    EXPECT_EQ(FindPerf(r, "to_be_removed")->value, 4);
    EXPECT_EQ(FindPerf(r, "goal0_pending_deletion")->value, 6);
}

TEST(ReplicasRule, OneChunkIsSingular) {
    auto s = Snapshot();
    Add(s, 2, 0, 1);
    EXPECT_EQ(EvaluateReplicas(s, ReplicasThresholds::Defaults()).summary,
              "1 chunk of goal 2 lost");
}

}  // namespace
}  // namespace mfsmon::health
