// The estimator replayed over a real evacuation recorded on the lab
// (tests/fixtures/trend/evacuation-<version>.csv: one disk marked for removal, a check every
// ~2 s until the master said READY). At every check it sees only the series up to then, as a
// check run would. What must hold on real data: the phases go from measuring to evacuating to
// done, the ETA of the copies falls while they are made, the copies' rate is positive, and
// every READY estimate made once the copies were done comes true within one check interval of
// the chunk-loop pass it names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "trend/estimator.h"

namespace mfsmon::trend {
namespace {

struct Row {
    double t = 0;
    double all_deficit = 0, marked_dependent = 0;
    int progress = 0;
    double loop_start = 0, loop_end = 0;
    int mfr_status = -1;
};

std::vector<Row> ReadRecording(const std::string& name) {
    std::ifstream in(std::string(MFSMON_FIXTURES_DIR) + "/trend/" + name);
    if (!in) throw std::runtime_error("missing fixture " + name);
    std::vector<Row> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line[0] == 't') continue;
        std::istringstream f(line);
        Row r;
        char c = 0;
        double marked_chunks = 0;
        f >> r.t >> c >> r.all_deficit >> c >> r.marked_dependent >> c >> r.progress >> c >>
            r.loop_start >> c >> r.loop_end >> c >> r.mfr_status >> c >> marked_chunks;
        if (!f) throw std::runtime_error("bad fixture line: " + line);
        rows.push_back(r);
    }
    return rows;
}

class RecordedEvacuation : public ::testing::TestWithParam<const char*> {};

TEST_P(RecordedEvacuation, PhasesEtaAndReadyOnRealData) {
    const auto rows = ReadRecording(GetParam());
    ASSERT_GT(rows.size(), 20u);
    const double t_ready = rows.back().t;
    ASSERT_EQ(rows.back().mfr_status, 2) << "the recording ends at READY";

    std::vector<Point> series;
    std::vector<Phase> phases;
    std::vector<double> etas;                           // of the copies, while evacuating
    std::vector<std::pair<double, double>> ready_etas;  // (t, eta) once the copies are done
    for (const auto& r : rows) {
        series.push_back(Point{r.t, r.marked_dependent, r.progress == 0, false});
        std::optional<ChunkLoop> loop;
        if (r.loop_start > 0 && r.loop_end > r.loop_start)
            loop = ChunkLoop{r.loop_start, r.loop_end};
        const Trend t = Estimate(series, loop, TrendConfig{});
        phases.push_back(t.phase);
        if (t.phase == Phase::kRecovering && t.eta_s) {
            ASSERT_TRUE(t.rate);
            EXPECT_GT(*t.rate, 0);
        }
        if ((t.phase == Phase::kRecovering || t.phase == Phase::kTail) && t.eta_s) {
            etas.push_back(r.t + *t.eta_s);  // when the copies are expected done
        }
        if (t.now == 0 && r.mfr_status == 1 && loop) {
            if (auto ready = EtaToReady(t, loop, t.at)) ready_etas.emplace_back(t.at, *ready);
        }
    }
    // measuring -> recovering -> done, in that order.
    const auto first_recovering = std::find(phases.begin(), phases.end(), Phase::kRecovering);
    const auto first_done = std::find(phases.begin(), phases.end(), Phase::kDone);
    ASSERT_NE(first_recovering, phases.end());
    ASSERT_NE(first_done, phases.end());
    EXPECT_LT(first_recovering, first_done);
    EXPECT_EQ(phases.back(), Phase::kDone);
    // 4.59.2's copies slowed to a trickle, then 1 chunk waited 47 s for the loop: a tail
    // before done. (3.0.117's bulk ran to 0 at the loop's pace: no tail there.)
    const bool tail = std::find(phases.begin(), phases.end(), Phase::kTail) != phases.end();
    EXPECT_EQ(tail, std::string(GetParam()).find("4.59.2") != std::string::npos);

    // The copies' ETA converges: the expected end moves less and less.
    ASSERT_GE(etas.size(), 6u);
    const double copies_done = [&] {
        for (const auto& r : rows) {
            if (r.t > rows[2].t && r.marked_dependent == 0 && r.progress == 0) return r.t;
        }
        return rows.back().t;
    }();
    const std::size_t n = etas.size();
    EXPECT_LT(std::abs(etas[n - 1] - copies_done), std::abs(etas[0] - copies_done) + 1.0);
    // The last estimate is a tail's (the end of the pass that reaches the last chunks) or the
    // bulk's: never too early by more than a check interval, never late by more than a pass.
    EXPECT_LE(copies_done, etas[n - 1] + 4.0);
    EXPECT_LT(etas[n - 1] - copies_done, 60.0 + 4.0);

    // READY estimates once the copies were done: right within a check interval (~2 s).
    ASSERT_FALSE(ready_etas.empty());
    for (const auto& [at, eta] : ready_etas) {
        EXPECT_NEAR(at + eta, t_ready, 4.0) << "estimate made at " << at;
    }
}

INSTANTIATE_TEST_SUITE_P(Lab, RecordedEvacuation,
                         ::testing::Values("evacuation-3.0.117.csv", "evacuation-4.59.2.csv"),
                         [](const auto& info) {
                             std::string name = info.param;
                             name = name.substr(0, name.find(".csv"));
                             for (auto& c : name) {
                                 if (c == '.' || c == '-') c = '_';
                             }
                             return name;
                         });

}  // namespace
}  // namespace mfsmon::trend
