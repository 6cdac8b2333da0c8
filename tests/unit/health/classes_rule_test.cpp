// The storage classes rule with per-class chunk matrices (4.44+): a class's missing and
// endangered chunks are named by class, EC chunks counted apart; a matrix that could not be
// read is UNKNOWN, never a silent OK. The snapshots are recorded real cluster states; the
// recorded all-classes matrix stands in for one class's matrix (same layout on the wire).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "health/classes_rule.h"
#include "recorded_snapshot.h"

namespace mfsmon::test {
namespace {

using health::Evaluation;
using health::Finding;

std::vector<Finding> WithCode(const Evaluation& ev, const std::string& code) {
    std::vector<Finding> out;
    for (const auto& f : ev.findings) {
        if (f.code == code) out.push_back(f);
    }
    return out;
}

bool HasDetail(const Evaluation& ev, const std::string& part) {
    for (const auto& d : ev.details) {
        if (d.find(part) != std::string::npos) return true;
    }
    return false;
}

// The first class files or directories use, and its name.
const model::StorageClass& FirstInUse(const model::ClusterSnapshot& snap) {
    for (const auto& c : snap.storage_classes->value().classes) {
        if (c.in_use()) return c;
    }
    throw std::runtime_error("no class in use in the recording");
}

// `snap` with the recorded all-classes matrix as the matrix of its first class in use.
model::ClusterSnapshot WithClassMatrix(model::ClusterSnapshot snap) {
    const auto& c = FirstInUse(snap);
    snap.class_matrices.emplace(
        std::vector<model::ClassMatrices>{model::ClassMatrices(c.id, snap.matrices->value())});
    return snap;
}

TEST(ClassesRule, MissingChunksOfAClassAreNamedWithTheirEcShare) {
    // 4.59.2 three-killed: 16 chunks missing, 1 of them an EC 4+1 chunk (layouts note, 2).
    const auto snap = WithClassMatrix(RecordedSnapshot("4.59.2", "three-killed"));
    const std::string name = FirstInUse(snap).name;
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    const auto missing = WithCode(ev, "classes.chunks_missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].subject, name);
    EXPECT_EQ(missing[0].count, 16u);
    EXPECT_EQ(missing[0].severity, health::State::kCritical);
    EXPECT_EQ(missing[0].text, "storage class " + name + ": 16 chunks missing (1 of them EC)");
    EXPECT_TRUE(WithCode(ev, "classes.chunks_endangered").empty());
    EXPECT_TRUE(HasDetail(ev, "class " + name +
                                  ": chunk matrix: 16 missing, 0 endangered, 26 undergoal, "
                                  "110 stable, 0 overgoal; EC 4+n parts: 1 missing, 0 endangered"))
        << testing::PrintToString(ev.details);
}

TEST(ClassesRule, CopiesOnlyLossHasNoEcShare) {
    // 4.59.2 cs-killed: 3 goal-1 chunks lost, no EC chunk touched.
    const auto snap = WithClassMatrix(RecordedSnapshot("4.59.2", "cs-killed"));
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    const auto missing = WithCode(ev, "classes.chunks_missing");
    ASSERT_EQ(missing.size(), 1u);
    EXPECT_EQ(missing[0].count, 3u);
    EXPECT_EQ(missing[0].text.find("EC"), std::string::npos) << missing[0].text;
}

TEST(ClassesRule, HealthyClassMatrixIsADetailNotAFinding) {
    const auto snap = WithClassMatrix(RecordedSnapshot("4.59.2", "healthy"));
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    EXPECT_TRUE(ev.findings.empty()) << ev.findings[0].text;
    EXPECT_TRUE(HasDetail(ev, ": chunk matrix: 0 missing, 0 endangered, 0 undergoal, 152 stable"))
        << testing::PrintToString(ev.details);
}

TEST(ClassesRule, EndangeredIsRatedOnTheAllCopiesMatrix) {
    auto snap = WithClassMatrix(RecordedSnapshot("4.59.2", "healthy"));
    auto& m = snap.class_matrices->value()[0].matrices.value();
    m.combined.all[3][1] = 5;      // goal-3-like target, one copy left
    m.combined.regular[2][1] = 9;  // the regular view alone does not alert
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    const auto endangered = WithCode(ev, "classes.chunks_endangered");
    ASSERT_EQ(endangered.size(), 1u);
    EXPECT_EQ(endangered[0].count, 5u);
}

TEST(ClassesRule, AClassMatrixThatCouldNotBeReadIsUnknown) {
    auto snap = RecordedSnapshot("4.59.2", "healthy");
    const auto& c = FirstInUse(snap);
    snap.class_matrices.emplace(std::vector<model::ClassMatrices>{model::ClassMatrices(
        c.id, MakeError(ErrorKind::kProtocol, "connection closed by the master"))});
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    const auto unknown = WithCode(ev, "mfsmon.unreadable");
    ASSERT_EQ(unknown.size(), 1u);
    EXPECT_EQ(unknown[0].severity, health::State::kUnknown);
    EXPECT_EQ(unknown[0].text, "the chunk matrix of storage class " + std::string(c.name) +
                                   " could not be read: connection closed by the master");
}

TEST(ClassesRule, PerClassMatricesThatCouldNotBeAskedAreUnknown) {
    auto snap = RecordedSnapshot("4.59.2", "healthy");
    snap.class_matrices.emplace(MakeError(ErrorKind::kProtocol, "timed out"));
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    const auto unknown = WithCode(ev, "mfsmon.unreadable");
    ASSERT_EQ(unknown.size(), 1u);
    EXPECT_EQ(unknown[0].text, "the per-class chunk matrices could not be read: timed out");
}

TEST(ClassesRule, MasterWithoutPerClassMatricesSaysNothingAboutThem) {
    // 3.0.117 (and 4.x before 4.44): the part is never asked for.
    const auto snap = RecordedSnapshot("3.0.117", "three-killed");
    ASSERT_FALSE(snap.class_matrices.has_value());
    Evaluation ev;
    health::EvaluateClasses(snap, ev);
    EXPECT_TRUE(WithCode(ev, "classes.chunks_missing").empty());
    EXPECT_FALSE(HasDetail(ev, "chunk matrix"));
}

}  // namespace
}  // namespace mfsmon::test
