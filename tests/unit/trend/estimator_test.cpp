#include "trend/estimator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace mfsmon::trend {
namespace {

constexpr double kT0 = 1'700'000'000;  // an arbitrary unix time

// Builds a series step by step; each call appends points after the last one.
class Series {
  public:
    explicit Series(double start_value = 0, double t0 = kT0) : t_(t0), value_(start_value) {
        Add(0, start_value);
    }

    // One point `dt` seconds after the last.
    Series& Add(double dt, double value, bool trusted = true, bool restart = false) {
        t_ += dt;
        if (trusted) value_ = value;
        points_.push_back(Point{t_, value, trusted, restart});
        return *this;
    }
    Series& Untrusted(double dt, double value) { return Add(dt, value, false); }
    Series& Restart(double dt, double value) { return Add(dt, value, true, true); }

    // From the current value towards `target` at `rate` chunks/s, a point every `step`
    // seconds, until the target is reached (the last point is exactly the target).
    Series& RampTo(double target, double rate, double step) {
        const double from = value_;
        const double direction = target < from ? -1 : 1;
        for (double elapsed = step;; elapsed += step) {
            const double v = from + direction * rate * elapsed;
            const bool reached = direction < 0 ? v <= target : v >= target;
            Add(step, reached ? target : v);
            if (reached) return *this;
        }
    }

    // The current value, a point every `step` seconds for `duration` seconds.
    Series& Flat(double duration, double step) {
        for (double elapsed = step; elapsed <= duration + 1e-9; elapsed += step) Add(step, value_);
        return *this;
    }

    // Advances the clock without points (monitoring down).
    Series& Skip(double seconds) {
        t_ += seconds;
        return *this;
    }

    double t() const { return t_; }
    double value() const { return value_; }
    const std::vector<Point>& points() const { return points_; }

  private:
    double t_;
    double value_;
    std::vector<Point> points_;
};

Trend EstimateOf(std::span<const Point> s, const std::optional<ChunkLoop>& loop = std::nullopt,
                 const TrendConfig& c = {}) {
    return Estimate(s, loop, c);
}

// The estimate as a check run after the first `n` points would have seen it.
Trend Prefix(const std::vector<Point>& s, std::size_t n,
             const std::optional<ChunkLoop>& loop = std::nullopt) {
    return EstimateOf(std::span(s).first(n), loop);
}

// A loop of `duration` seconds whose last complete pass ended at `end`.
ChunkLoop LoopEndingAt(double end, double duration) {
    return ChunkLoop{end - duration, end};
}

#define EXPECT_WITHIN(actual, expected, share)                      \
    EXPECT_NEAR((actual), (expected), std::abs(expected) * (share)) \
        << "expected within " << (share)*100 << "% of " << (expected)

// Every output is a plain number a human can read: no NaN, no infinity, no negative time,
// and the fields agree with the phase.
void ExpectSane(const Trend& t, const std::string& where) {
    SCOPED_TRACE(where);
    EXPECT_TRUE(std::isfinite(t.now) && t.now >= 0) << t.now;
    EXPECT_TRUE(std::isfinite(t.peak) && t.peak >= t.now) << t.peak;
    EXPECT_TRUE(std::isfinite(t.at));
    if (t.rate) {
        EXPECT_TRUE(std::isfinite(*t.rate)) << *t.rate;
    }
    if (t.eta_s) {
        EXPECT_TRUE(std::isfinite(*t.eta_s) && *t.eta_s >= 0) << *t.eta_s;
        EXPECT_TRUE(t.phase == Phase::kRecovering || t.phase == Phase::kTail) << PhaseName(t.phase);
    }
    if (t.progress) {
        EXPECT_TRUE(*t.progress >= 0 && *t.progress <= 1) << *t.progress;
    }
    if (t.stalled_for_s) {
        EXPECT_TRUE(std::isfinite(*t.stalled_for_s) && *t.stalled_for_s >= 0);
    }
    if (t.phase == Phase::kHealthy || t.phase == Phase::kDone) {
        EXPECT_EQ(t.now, 0);
    }
    if (t.phase == Phase::kDone) {
        EXPECT_TRUE(t.event_end.has_value());
    }
    if (t.now > 0) {
        EXPECT_TRUE(t.progress.has_value());
        EXPECT_TRUE(t.event_start.has_value());
    }
}

// --- Steady decline, at several rates and sampling intervals --------------------------------

struct DeclineCase {
    std::string name;
    double start;     // chunks
    double rate;      // chunks/s
    double min_step;  // seconds between points: uniformly drawn from [min_step, max_step]
    double max_step;
};

// Integer counts (as the master reports them) on a straight line, sampled at irregular
// intervals from a fixed seed.
std::vector<Point> SteadyDecline(const DeclineCase& c) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> step(c.min_step, c.max_step);
    std::vector<Point> out;
    for (double elapsed = 0;; elapsed += step(rng)) {
        const double v = std::max(0.0, std::round(c.start - c.rate * elapsed));
        out.push_back(Point{kT0 + elapsed, v});
        if (v == 0) return out;
    }
}

class SteadyDeclineTest : public ::testing::TestWithParam<DeclineCase> {};

TEST_P(SteadyDeclineTest, RateAndEtaMatchTheLine) {
    const DeclineCase& c = GetParam();
    const auto series = SteadyDecline(c);
    std::optional<double> previous_eta;
    int checked = 0;
    for (std::size_t n = 1; n < series.size(); ++n) {
        const Trend t = Prefix(series, n);
        const std::string where = fmt::format("after {} points, value {}", n, t.now);
        SCOPED_TRACE(where);
        ExpectSane(t, where);
        // Rate once two points are min_span_s apart.
        if (n == 1) {
            EXPECT_EQ(t.phase, Phase::kNoHistory);
            continue;
        }
        ASSERT_EQ(t.phase, Phase::kRecovering);
        ASSERT_TRUE(t.rate && t.eta_s);
        if (t.now >= 100) {
            EXPECT_WITHIN(*t.rate, c.rate, 0.05);
            EXPECT_WITHIN(*t.eta_s, t.now / c.rate, 0.10);
            ++checked;
        }
        if (previous_eta) {
            EXPECT_LT(*t.eta_s, *previous_eta) << "the ETA must fall as time passes";
        }
        previous_eta = t.eta_s;
        EXPECT_NEAR(*t.progress, 1 - t.now / c.start, 1e-9);
    }
    EXPECT_GE(checked, 3) << "the case must give enough points to check";
    const Trend end = EstimateOf(series);
    EXPECT_EQ(end.phase, Phase::kDone);
}

INSTANTIATE_TEST_SUITE_P(
    Estimate, SteadyDeclineTest,
    ::testing::Values(DeclineCase{"Bulk3_5PerSecondEvery10s", 20000, 3.5, 10, 10},
                      DeclineCase{"Bulk3_5PerSecondEvery10to300s", 20000, 3.5, 10, 300},
                      DeclineCase{"Bulk3_5PerSecondEvery5min", 20000, 3.5, 300, 300},
                      DeclineCase{"Slow0_5PerSecondEvery1to2min", 5000, 0.5, 60, 120},
                      DeclineCase{"Fast40PerSecondEvery30s", 200000, 40, 30, 30}),
    [](const auto& info) { return info.param.name; });

// --- Noise -----------------------------------------------------------------------------------

// The line times (1 + u), u uniform in [-noise, noise], from a fixed seed; every
// `spike_every`-th point (0: none) is 1.5 times the line (a burst of new deficit that
// resolved before the next sample).
std::vector<Point> NoisyDecline(double start, double rate, double step, double noise,
                                int spike_every) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-noise, noise);
    std::vector<Point> out;
    for (int i = 0;; ++i) {
        const double line = start - rate * step * i;
        if (line <= 0) return out;
        double v = std::round(line * (1 + u(rng)));
        if (spike_every > 0 && i % spike_every == spike_every - 1) v = std::round(line * 1.5);
        out.push_back(Point{kT0 + step * i, v});
    }
}

void ExpectRateWithin15PercentWhileBulk(const std::vector<Point>& series, double start, double rate,
                                        double step) {
    int checked = 0;
    for (std::size_t n = 2; n <= series.size(); ++n) {
        const double elapsed = step * static_cast<double>(n - 1);
        const double line = start - rate * elapsed;
        // A full window behind, and a bulk large enough to fall well over the window.
        if (elapsed < 600 || line < 1000) continue;
        const Trend t = Prefix(series, n);
        SCOPED_TRACE(fmt::format("after {} s, line at {}", elapsed, line));
        ExpectSane(t, "noisy");
        ASSERT_EQ(t.phase, Phase::kRecovering);
        ASSERT_TRUE(t.rate);
        EXPECT_WITHIN(*t.rate, rate, 0.15);
        ++checked;
    }
    EXPECT_GE(checked, 20);
}

TEST(Estimate, NoisyDeclineRateWithin15Percent) {
    const auto series = NoisyDecline(6000, 3.5, 30, 0.05, 0);
    ExpectRateWithin15PercentWhileBulk(series, 6000, 3.5, 30);
}

TEST(Estimate, NoisyDeclineWithSpikesRateWithin15Percent) {
    // One sample in seven is 50% above the line: a least-squares fit would be pulled far off.
    const auto series = NoisyDecline(6000, 3.5, 30, 0.05, 7);
    ExpectRateWithin15PercentWhileBulk(series, 6000, 3.5, 30);
}

TEST(Estimate, NoiseOnAFlatLineIsNotGrowing) {
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-0.02, 0.02);
    std::vector<Point> series;
    for (int i = 0; i < 40; ++i) {
        series.push_back(Point{kT0 + 30 * i, std::round(4000 * (1 + u(rng)))});
    }
    const Trend t = EstimateOf(series);
    EXPECT_NE(t.phase, Phase::kGrowing);
    EXPECT_NE(t.phase, Phase::kTail);
}

// --- Growing, then falling -------------------------------------------------------------------

TEST(Estimate, GrowingThenFalling) {
    Series s(0);
    s.Flat(120, 30);
    const std::size_t rise_start = s.points().size();
    s.RampTo(6000, 10, 30);  // a chunkserver's chunks are found below goal over 10 minutes
    const std::size_t peak_at = s.points().size();
    s.RampTo(1800, 3.5, 30);
    const auto& series = s.points();

    for (std::size_t n = rise_start + 2; n <= peak_at; ++n) {
        const Trend t = Prefix(series, n);
        SCOPED_TRACE(fmt::format("rising, value {}", t.now));
        EXPECT_EQ(t.phase, Phase::kGrowing);
        ASSERT_TRUE(t.rate);
        EXPECT_WITHIN(*t.rate, -10, 0.05);
        EXPECT_FALSE(t.eta_s);
        EXPECT_EQ(*t.progress, 0);  // at the peak all along
        EXPECT_EQ(*t.event_start, series[rise_start].t);
    }

    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_EQ(t.peak, 6000);
    EXPECT_NEAR(*t.progress, 1 - 1800.0 / 6000, 1e-9);
    EXPECT_WITHIN(*t.rate, 3.5, 0.05);
    EXPECT_WITHIN(*t.eta_s, 1800 / 3.5, 0.10);
    EXPECT_EQ(*t.event_start, series[rise_start].t);
    EXPECT_EQ(t.points_used, series.size() - rise_start);
}

TEST(Estimate, RiseOfOneChunkIsNotGrowing) {
    // 10 chunks, +1 over the window: above 5% of the value but within the 2-chunk floor of
    // "significant"; +3 is growth.
    Series s(0);
    s.Add(60, 10).Flat(600, 60).RampTo(11, 1.0 / 600, 60);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_FALSE(t.eta_s) << "no ETA from a rate that is not positive";
    ASSERT_TRUE(t.rate);
    EXPECT_LT(*t.rate, 0);

    Series three(0);
    three.Add(60, 10).Flat(600, 60).RampTo(13, 3.0 / 600, 60);
    EXPECT_EQ(EstimateOf(three.points()).phase, Phase::kGrowing);
}

TEST(Estimate, RiseOfFivePercentIsTheThreshold) {
    // 4% of 10000 over the window is noise, 6% is growth.
    Series below(10000);
    below.RampTo(10400, 400.0 / 600, 30);
    EXPECT_EQ(EstimateOf(below.points()).phase, Phase::kRecovering);
    Series above(10000);
    above.RampTo(10600, 600.0 / 600, 30);
    EXPECT_EQ(EstimateOf(above.points()).phase, Phase::kGrowing);
}

// --- Stall -----------------------------------------------------------------------------------

// 5000 chunks falling to 2900 at 3.5/s, then flat for `flat_s`.
Series DeclineThenFlat(double flat_s) {
    Series s(0);
    s.Add(30, 5000).RampTo(2900, 3.5, 30).Flat(flat_s, 30);
    return s;
}

TEST(Estimate, FlatLongerThanStallTimeIsStalled) {
    const Series s = DeclineThenFlat(2010);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kStalled);
    ASSERT_TRUE(t.stalled_for_s);
    EXPECT_NEAR(*t.stalled_for_s, 2010, 1e-6);
    EXPECT_FALSE(t.eta_s);
    EXPECT_NEAR(*t.progress, 1 - 2900.0 / 5000, 1e-9);
}

TEST(Estimate, FlatShorterThanStallTimeIsNotStalled) {
    const Series s = DeclineThenFlat(1200);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_FALSE(t.stalled_for_s);
    EXPECT_FALSE(t.eta_s) << "flat over the window: no ETA";
    ASSERT_TRUE(t.rate);
    EXPECT_EQ(*t.rate, 0);
}

TEST(Estimate, StallTimeIsAtLeastTwoLoopPasses) {
    const ChunkLoop loop = LoopEndingAt(kT0, 1200);  // stall after 2400 s, not 1800
    EXPECT_EQ(EstimateOf(DeclineThenFlat(2010).points(), loop).phase, Phase::kRecovering);
    const Trend t = EstimateOf(DeclineThenFlat(2430).points(), loop);
    EXPECT_EQ(t.phase, Phase::kStalled);
    EXPECT_NEAR(*t.stalled_for_s, 2430, 1e-6);
}

TEST(Estimate, NoDecreaseSinceTheEventStartedCountsFromTheStart) {
    Series s(0);
    s.Add(60, 800).Flat(1920, 60);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kStalled);
    EXPECT_NEAR(*t.stalled_for_s, 1920, 1e-6);
}

TEST(Estimate, JitterThatRisesSlowlyStallsRatherThanGrows) {
    // +1 now and then, never down: no significant rise, no decrease for 40 minutes.
    Series s(0);
    s.Add(60, 800);
    for (int i = 0; i < 40; ++i) s.Add(60, s.value() + (i % 10 == 0 ? 1 : 0));
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kStalled);
}

// --- Tail ------------------------------------------------------------------------------------

// 2000 chunks fall at 3.5/s to 10, which then wait `flat_s` for the loop.
Series BulkThenTail(double flat_s) {
    Series s(0);
    s.Add(30, 2000).RampTo(10, 3.5, 30).Flat(flat_s, 30);
    return s;
}

TEST(Estimate, TailWaitsForTheRestOfTheLoopPass) {
    const Series s = BulkThenTail(900);
    // The last complete 300 s pass ended 130 s before a multiple of 300 s ago: the pass under
    // way ends 170 s from now.
    const ChunkLoop loop = LoopEndingAt(s.t() - 3 * 300 - 130, 300);
    const Trend t = EstimateOf(s.points(), loop);
    EXPECT_EQ(t.phase, Phase::kTail);
    ASSERT_TRUE(t.eta_s);
    EXPECT_NEAR(*t.eta_s, 170, 1e-6);
    EXPECT_GT(*t.eta_s, 10 / 3.5 * 10) << "not the remainder over the bulk rate";
    ASSERT_TRUE(t.stalled_for_s);
    EXPECT_NEAR(*t.stalled_for_s, 900, 1e-6);
    EXPECT_EQ(t.now, 10);
}

TEST(Estimate, TailWithTheLoopEndingRightNowWaitsAWholePass) {
    const Series s = BulkThenTail(900);
    const Trend t = EstimateOf(s.points(), LoopEndingAt(s.t(), 300));
    EXPECT_EQ(t.phase, Phase::kTail);
    EXPECT_NEAR(*t.eta_s, 300, 1e-6);
}

TEST(Estimate, TailWithUnknownLoopHasNoEta) {
    const Trend t = EstimateOf(BulkThenTail(900).points());
    EXPECT_EQ(t.phase, Phase::kTail);
    EXPECT_FALSE(t.eta_s);
}

TEST(Estimate, RemainderFlatOverTheRecentWindowIsATailWhileTheLongWindowStillFalls) {
    // 60 s after the bulk the 10-minute window still falls, but the last 30 s did not move:
    // the remainder waits for the loop, so the ETA is the pass's, not 10 / 3.5 s.
    const Series s = BulkThenTail(60);
    const Trend t = EstimateOf(s.points(), LoopEndingAt(s.t() - 100, 300));
    EXPECT_EQ(t.phase, Phase::kTail);
    ASSERT_TRUE(t.eta_s);
    EXPECT_NEAR(*t.eta_s, 200, 1e-6);
}

TEST(Estimate, JustAfterTheBulkItIsStillRecovering) {
    // 10 s after the bulk the recent window still holds the bulk's fall.
    const Trend t = EstimateOf(BulkThenTail(10).points(), LoopEndingAt(kT0, 300));
    EXPECT_EQ(t.phase, Phase::kRecovering);
    ASSERT_TRUE(t.eta_s);
    EXPECT_LT(*t.eta_s, 60);
}

TEST(Estimate, ATricklingRemainderIsATailWithItsOwnRate) {
    // 2000 chunks at 3.5/s, then the last 40 at 0.2/s: a tail; without the loop's timing
    // its ETA is the remainder over its own rate (200 s), not over the bulk's (11 s).
    Series s(0);
    s.Add(30, 2000).RampTo(40, 3.5, 30).RampTo(30, 0.2, 10);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kTail);
    ASSERT_TRUE(t.rate);
    EXPECT_WITHIN(*t.rate, 0.2, 0.05);
    ASSERT_TRUE(t.eta_s);
    EXPECT_WITHIN(*t.eta_s, 30 / 0.2, 0.1);
}

TEST(Estimate, TailFlatForTooLongIsStalled) {
    const Series s = BulkThenTail(1830);
    const Trend t = EstimateOf(s.points(), LoopEndingAt(s.t() - 100, 300));
    EXPECT_EQ(t.phase, Phase::kStalled);
}

TEST(Estimate, FlatRemainderAboveTheTailShareIsNotATail) {
    // 40 chunks left of a 200-chunk event: under 50 chunks but over 10% of the peak.
    Series s(0);
    s.Add(30, 200).RampTo(40, 3.5, 30).Flat(900, 30);
    const Trend t = EstimateOf(s.points(), LoopEndingAt(s.t(), 300));
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_FALSE(t.eta_s);
}

// --- Done and healthy ------------------------------------------------------------------------

TEST(Estimate, ReachingZeroIsDoneThenHealthyAfterTheHold) {
    Series s(0);
    s.Add(30, 1000).RampTo(0, 3.5, 30);
    const double end_t = s.t();
    const Trend done = EstimateOf(s.points());
    EXPECT_EQ(done.phase, Phase::kDone);
    EXPECT_EQ(*done.event_end, end_t);
    EXPECT_EQ(*done.event_start, kT0 + 30);
    EXPECT_EQ(done.peak, 1000);
    EXPECT_EQ(*done.progress, 1);
    EXPECT_EQ(done.now, 0);
    EXPECT_FALSE(done.eta_s);

    s.Flat(3600, 60);  // the end exactly done_hold_s old: still done
    EXPECT_EQ(EstimateOf(s.points()).phase, Phase::kDone);
    s.Add(60, 0);
    const Trend healthy = EstimateOf(s.points());
    EXPECT_EQ(healthy.phase, Phase::kHealthy);
    EXPECT_FALSE(healthy.progress);
    EXPECT_FALSE(healthy.event_end);
}

TEST(Estimate, ZeroThroughoutIsHealthy) {
    Series s(0);
    s.Flat(600, 60);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kHealthy);
    EXPECT_FALSE(t.progress);
    EXPECT_FALSE(t.event_start);
    EXPECT_EQ(t.points_used, 0u);
}

// --- Restart, untrusted points, gaps --------------------------------------------------------

TEST(Estimate, NoRateAcrossAMasterRestart) {
    Series s(0);
    s.Add(30, 5000).RampTo(3000, 3.5, 30);
    const std::size_t before = s.points().size();
    s.Restart(60, 3400);  // recounted higher after the restart
    const Trend at_restart = EstimateOf(s.points());
    EXPECT_EQ(at_restart.phase, Phase::kNoHistory);
    EXPECT_FALSE(at_restart.rate);
    EXPECT_EQ(*at_restart.event_start, kT0 + 30) << "the event goes on";
    EXPECT_EQ(at_restart.peak, 5000);
    EXPECT_EQ(at_restart.points_used, before) << "all but the initial 0, and the restart point";

    s.Add(30, 3340);  // 2 chunks/s since the restart
    const Trend after = EstimateOf(s.points());
    EXPECT_EQ(after.phase, Phase::kRecovering);
    ASSERT_TRUE(after.rate);
    EXPECT_NEAR(*after.rate, 2, 1e-9) << "measured only after the restart";
    EXPECT_NEAR(*after.progress, 1 - 3340.0 / 5000, 1e-9);
}

TEST(Estimate, RestartOnAnUntrustedPointStillCutsTheRate) {
    Series s(0);
    s.Add(30, 5000).RampTo(3000, 3.5, 30);
    s.Add(30, 0, /*trusted=*/false, /*restart=*/true).Add(30, 3400);
    EXPECT_FALSE(EstimateOf(s.points()).rate);
}

TEST(Estimate, DropAtARestartIsNotProgress) {
    // Flat for 25 minutes, a restart recounts lower, flat again: no real decrease for 40.
    Series s(0);
    s.Add(60, 3000).Flat(1500, 60).Restart(60, 2500).Flat(840, 60);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kStalled);
    EXPECT_NEAR(*t.stalled_for_s, 2400, 1e-6) << "since the event started";
}

TEST(Estimate, UntrustedPointsInTheMiddleAreIgnored) {
    std::vector<Point> series;
    for (int i = 0; i < 40; ++i) series.push_back(Point{kT0 + 30 * i, 5000 - 105.0 * i});
    // The master recomputes its counters: nonsense values for a minute and a half.
    series[33] = Point{series[33].t, 0, false};
    series[34] = Point{series[34].t, 1e6, false};
    series[35] = Point{series[35].t, 12, false};
    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_EQ(*t.event_start, kT0) << "an untrusted 0 does not end the event";
    EXPECT_EQ(t.peak, 5000) << "an untrusted 1e6 is not the peak";
    ASSERT_TRUE(t.rate);
    EXPECT_NEAR(*t.rate, 3.5, 1e-9);
    EXPECT_EQ(t.points_used, 37u);
}

TEST(Estimate, OnlyUntrustedPointsIsNoHistory) {
    std::vector<Point> series;
    for (int i = 0; i < 10; ++i) series.push_back(Point{kT0 + 60 * i, 100.0 * i, false});
    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.phase, Phase::kNoHistory);
    EXPECT_EQ(t.now, 0);
    EXPECT_FALSE(t.rate);
    EXPECT_FALSE(t.progress);
}

TEST(Estimate, NoRateAcrossAGapUntilTwoPointsAfterIt) {
    Series s(0);
    s.Add(30, 8000).RampTo(6000, 3.5, 30);
    s.Skip(7200).Add(0, 2000);  // monitoring was down for two hours
    const Trend one = EstimateOf(s.points());
    EXPECT_EQ(one.phase, Phase::kNoHistory);
    EXPECT_FALSE(one.rate);
    EXPECT_EQ(*one.event_start, kT0 + 30);
    EXPECT_NEAR(*one.progress, 0.75, 1e-9);

    s.Add(60, 1940);  // 1 chunk/s after the gap; across it the rate would be ~0.55/s
    const Trend two = EstimateOf(s.points());
    EXPECT_EQ(two.phase, Phase::kRecovering);
    ASSERT_TRUE(two.rate);
    EXPECT_NEAR(*two.rate, 1, 1e-9);
    EXPECT_NEAR(*two.eta_s, 1940, 1e-6);
}

TEST(Estimate, SparseSamplingShorterThanTheGapStillGivesARate) {
    // A point every 20 minutes: the window reaches back to the last 3 points.
    Series s(0);
    s.Add(60, 9000).RampTo(3400, 3.5 / 3, 1200);
    const Trend t = EstimateOf(s.points());
    ASSERT_TRUE(t.rate);
    EXPECT_WITHIN(*t.rate, 3.5 / 3, 0.05);
}

TEST(Estimate, SparseSamplingUsesAtLeastThreePoints) {
    // A point every 20 minutes; the one before last is a spike. From the last two points the
    // deficit would seem to fall at 2.3/s; the median of the three slopes is the line's.
    std::vector<Point> series;
    for (int i = 0; i < 6; ++i) series.push_back(Point{kT0 + 1200.0 * i, 9000 - 1400.0 * i});
    series[4].value += 1400;
    const Trend t = EstimateOf(series);
    ASSERT_TRUE(t.rate);
    EXPECT_WITHIN(*t.rate, 3.5 / 3, 0.05);
}

// --- A second failure during recovery -------------------------------------------------------

TEST(Estimate, SecondEventRaisesThePeakOfTheSameEvent) {
    Series s(0);
    s.Add(30, 5000).RampTo(1850, 3.5, 30);
    const std::size_t second = s.points().size();
    s.RampTo(7850, 10, 30);  // another chunkserver fails before the first is done
    const std::size_t peak_at = s.points().size();
    s.RampTo(5000, 3.5, 30);
    const auto& series = s.points();

    // Half way up the window still holds the fall before: the phase lags, the peak does not.
    const Trend rising = Prefix(series, second + 10);
    EXPECT_EQ(rising.now, 4850);
    EXPECT_EQ(*rising.event_start, kT0 + 30);
    EXPECT_EQ(rising.peak, 5000) << "not yet above the first peak";
    EXPECT_NEAR(*rising.progress, 0.03, 1e-9);

    const Trend top = Prefix(series, peak_at);
    EXPECT_EQ(top.phase, Phase::kGrowing);
    EXPECT_EQ(top.peak, 7850);
    EXPECT_EQ(*top.progress, 0);
    EXPECT_EQ(*top.event_start, kT0 + 30);

    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_EQ(t.peak, 7850);
    EXPECT_NEAR(*t.progress, 1 - 5000.0 / 7850, 1e-9);
    EXPECT_EQ(*t.event_start, kT0 + 30);
    EXPECT_WITHIN(*t.rate, 3.5, 0.05);
}

TEST(Estimate, SecondEventBelowTheFirstPeakKeepsIt) {
    Series s(0);
    s.Add(30, 5000).RampTo(1000, 3.5, 30).RampTo(4000, 10, 30).RampTo(2000, 3.5, 30);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_EQ(t.peak, 5000);
    EXPECT_NEAR(*t.progress, 0.6, 1e-9);
}

TEST(Estimate, ANewEventAfterZeroStartsAfresh) {
    Series s(0);
    s.Add(30, 5000).RampTo(0, 3.5, 30).Flat(120, 30);
    const double second_start = s.t() + 30;
    s.Add(30, 800).RampTo(600, 3.5, 30);
    const Trend t = EstimateOf(s.points());
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_EQ(t.peak, 800);
    EXPECT_EQ(*t.event_start, second_start);
}

// --- EtaToReady ------------------------------------------------------------------------------

TEST(EtaToReady, DeficitEtaThenRestOfThePassThenOneFullPass) {
    Trend t;
    t.now = 350;
    t.eta_s = 1000;
    const double now = 10'000;
    // Passes of 300 s end at 9'900, 10'200, ..., 10'800, 11'100, 11'400: 0 is reached at
    // 11'000, the pass under way then ends at 11'100, the clean one after it at 11'400.
    const ChunkLoop loop = LoopEndingAt(9'900, 300);
    ASSERT_TRUE(EtaToReady(t, loop, now));
    EXPECT_NEAR(*EtaToReady(t, loop, now), 1'400, 1e-6);
}

TEST(EtaToReady, ZeroNowIsTheRestOfThePassPlusOnePass) {
    Trend t;
    t.phase = Phase::kDone;
    const ChunkLoop loop = LoopEndingAt(9'900, 300);
    EXPECT_NEAR(*EtaToReady(t, loop, 10'000), 200 + 300, 1e-6);
    // A pass ending at this very moment is the pass under way.
    EXPECT_NEAR(*EtaToReady(t, loop, 9'900), 300, 1e-6);
}

TEST(EtaToReady, AbsentWithoutLoopOrEta) {
    Trend t;
    t.now = 350;
    t.eta_s = 1000;
    EXPECT_FALSE(EtaToReady(t, std::nullopt, 10'000));
    EXPECT_FALSE(EtaToReady(t, ChunkLoop{500, 500}, 10'000)) << "a zero-length pass";
    EXPECT_FALSE(EtaToReady(t, ChunkLoop{600, 500}, 10'000)) << "a backwards pass";
    t.eta_s.reset();
    EXPECT_FALSE(EtaToReady(t, LoopEndingAt(9'900, 300), 10'000));
}

TEST(EtaToReady, FromAnEstimatedTail) {
    const Series s = BulkThenTail(900);
    const ChunkLoop loop = LoopEndingAt(s.t() - 3 * 300 - 130, 300);
    const Trend t = EstimateOf(s.points(), loop);
    ASSERT_EQ(t.phase, Phase::kTail);
    // 0 at the end of the pass under way (170 s), which saw deficit; then one clean pass.
    EXPECT_NEAR(*EtaToReady(t, loop, t.at), 170 + 300, 1e-6);
}

// --- MedianInterval --------------------------------------------------------------------------

TEST(MedianInterval, EvenAndOddCounts) {
    const std::vector<Point> odd = {{0, 1}, {10, 1}, {30, 1}, {330, 1}};
    EXPECT_EQ(*MedianInterval(odd), 20);
    const std::vector<Point> even = {{0, 1}, {10, 1}, {30, 1}, {60, 1}, {360, 1}};
    EXPECT_EQ(*MedianInterval(even), 25);
}

TEST(MedianInterval, SkipsUntrustedAndDisorderedPoints) {
    const std::vector<Point> s = {
        {0, 1}, {100, 1}, {150, 1, false}, {200, 1}, {190, 1}, {200, 1}, {300, 1},
    };
    EXPECT_EQ(*MedianInterval(s), 100);
    const std::vector<Point> duplicates = {{0, 1}, {0, 1}, {0, 1}, {10, 1}};
    EXPECT_FALSE(MedianInterval(duplicates)) << "two distinct times are one interval";
}

TEST(MedianInterval, AbsentWithFewerThanThreeTrustedPoints) {
    EXPECT_FALSE(MedianInterval({}));
    const std::vector<Point> two = {{0, 1}, {60, 1}, {90, 1, false}};
    EXPECT_FALSE(MedianInterval(two));
}

// --- Edge cases ------------------------------------------------------------------------------

TEST(Estimate, EmptySeriesIsNoHistoryAtZero) {
    const Trend t = EstimateOf({});
    EXPECT_EQ(t.phase, Phase::kNoHistory);
    EXPECT_EQ(t.now, 0);
    EXPECT_FALSE(t.rate);
    EXPECT_FALSE(t.eta_s);
    EXPECT_FALSE(t.progress);
}

TEST(Estimate, SinglePoint) {
    const std::vector<Point> above = {{kT0, 120}};
    const Trend t = EstimateOf(above);
    EXPECT_EQ(t.phase, Phase::kNoHistory);
    EXPECT_EQ(t.now, 120);
    EXPECT_EQ(*t.progress, 0);
    EXPECT_EQ(*t.event_start, kT0);
    EXPECT_EQ(t.points_used, 1u);

    const std::vector<Point> zero = {{kT0, 0}};
    EXPECT_EQ(EstimateOf(zero).phase, Phase::kHealthy);
}

TEST(Estimate, PointsCloserThanMinSpanGiveNoRate) {
    const std::vector<Point> s = {{kT0, 100}, {kT0 + 5, 90}};
    EXPECT_EQ(EstimateOf(s).phase, Phase::kNoHistory);
    const std::vector<Point> spaced = {{kT0, 100}, {kT0 + 10, 90}};
    EXPECT_EQ(EstimateOf(spaced).phase, Phase::kRecovering);
}

TEST(Estimate, DisorderedAndDuplicateTimesAreIgnored) {
    Series s(0);
    s.Add(30, 5000).RampTo(3000, 3.5, 30);
    std::vector<Point> series = s.points();
    const double last = series.back().t;
    // A duplicate of the last time and a point from the past, both with nonsense values.
    series.push_back(Point{last, 9999});
    series.push_back(Point{last - 500, 0});
    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.now, 3000);
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_WITHIN(*t.rate, 3.5, 0.05);
    EXPECT_EQ(t.at, last);
}

TEST(Estimate, HugeValues) {
    Series s(0);
    s.Add(30, 1e9).RampTo(4e8, 1e4, 300);
    const Trend t = EstimateOf(s.points());
    ExpectSane(t, "huge");
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_WITHIN(*t.rate, 1e4, 0.05);
    EXPECT_WITHIN(*t.eta_s, 4e4, 0.10);
}

TEST(Estimate, LongDenseSeriesThinsTheWindow) {
    // 10000 points a second apart, ±5% noise: 600 points in the window, thinned to 200.
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(-0.05, 0.05);
    std::vector<Point> series;
    for (int i = 0; i < 10000; ++i) {
        const double line = 50000 - 3.5 * i;
        series.push_back(Point{kT0 + i, std::round(line * (1 + u(rng)))});
    }
    const Trend t = EstimateOf(series);
    EXPECT_EQ(t.points_used, 10000u);
    EXPECT_EQ(t.phase, Phase::kRecovering);
    EXPECT_WITHIN(*t.rate, 3.5, 0.15);
}

TEST(Estimate, NonsenseInputsGiveNoNonsense) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<Point> s = {
        {kT0, 100}, {nan, 50}, {kT0 + 60, nan}, {kT0 + 90, -5}, {kT0 + 120, inf}, {kT0 + 150, 80},
    };
    TrendConfig c;
    c.rate_window_s = nan;
    c.significant_share = -1;
    const Trend t = EstimateOf(s, ChunkLoop{nan, kT0}, c);
    ExpectSane(t, "nonsense");
    EXPECT_EQ(t.now, 80);
    EXPECT_EQ(t.points_used, 2u);
    EXPECT_NEAR(*t.rate, 20.0 / 150, 1e-9);
}

TEST(Estimate, NonsenseKnobsFallBackToDefaults) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    TrendConfig c;
    c.done_hold_s = nan;
    c.stall_after_s = -1;
    c.tail_max_share = nan;

    Series done(0);
    done.Add(60, 100).Add(60, 0).Flat(7200, 600);
    EXPECT_EQ(EstimateOf(done.points(), std::nullopt, c).phase, Phase::kHealthy);
    EXPECT_EQ(EstimateOf(DeclineThenFlat(1200).points(), std::nullopt, c).phase,
              Phase::kRecovering);
    EXPECT_EQ(EstimateOf(DeclineThenFlat(2010).points(), std::nullopt, c).phase, Phase::kStalled);
    EXPECT_EQ(EstimateOf(BulkThenTail(900).points(), std::nullopt, c).phase, Phase::kTail);
}

TEST(Estimate, ZeroStallTimeStallsOnlyWithoutDecrease) {
    TrendConfig c;
    c.stall_after_s = 0;
    Series falling(0);
    falling.Add(30, 5000).RampTo(4000, 3.5, 30);
    EXPECT_EQ(EstimateOf(falling.points(), std::nullopt, c).phase, Phase::kRecovering);
    falling.Add(30, 4000);
    EXPECT_EQ(EstimateOf(falling.points(), std::nullopt, c).phase, Phase::kStalled);
}

TEST(Estimate, AbsurdTimesGiveNoInfinity) {
    // The span between these times overflows a double.
    const double max = std::numeric_limits<double>::max();
    const std::vector<Point> s = {{-max, 100}, {max, 100}};
    const Trend t = EstimateOf(s);
    ExpectSane(t, "absurd times");
    EXPECT_FALSE(t.rate);
}

TEST(Estimate, AWholeLongSeriesInTheWindowIsThinnedAndStillExact) {
    // 10000 points in one window would be 50 million slopes; the window is thinned to 200
    // points (its cost is the benchmark's business, not a timed test's): every point still
    // counts as used and an exact line keeps its exact rate.
    std::vector<Point> series;
    for (int i = 0; i < 10000; ++i) series.push_back(Point{kT0 + 10.0 * i, 400000 - 3.5 * 10 * i});
    TrendConfig c;
    c.rate_window_s = 1e9;
    const Trend t = EstimateOf(series, std::nullopt, c);
    ASSERT_EQ(t.points_used, series.size());
    ASSERT_TRUE(t.rate);
    EXPECT_NEAR(*t.rate, 3.5, 1e-9);
}

TEST(Estimate, PhaseNames) {
    EXPECT_EQ(PhaseName(Phase::kNoHistory), "no history");
    EXPECT_EQ(PhaseName(Phase::kHealthy), "healthy");
    EXPECT_EQ(PhaseName(Phase::kGrowing), "growing");
    EXPECT_EQ(PhaseName(Phase::kRecovering), "recovering");
    EXPECT_EQ(PhaseName(Phase::kTail), "tail");
    EXPECT_EQ(PhaseName(Phase::kStalled), "stalled");
    EXPECT_EQ(PhaseName(Phase::kDone), "done");
}

// --- Property: random series -----------------------------------------------------------------

// A series of random stretches: ramps up and down, flats, zeros, gaps, untrusted points,
// restarts, duplicate and out-of-order times, values from 0 to 1e9.
std::vector<Point> RandomSeries(unsigned seed) {
    std::mt19937 rng(seed);
    auto uniform = [&](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(rng);
    };
    auto chance = [&](double p) { return uniform(0, 1) < p; };
    std::vector<Point> out;
    double t = kT0;
    double v = chance(0.5) ? 0 : std::round(uniform(0, 1e4));
    const double scale = chance(0.1) ? 1e9 : 1e4;
    for (int stretch = 0; stretch < 12; ++stretch) {
        const int kind = static_cast<int>(uniform(0, 6));
        const double step = uniform(1, 300);
        const int n = static_cast<int>(uniform(1, 40));
        const double rate = uniform(0, scale / 1000);
        for (int i = 0; i < n; ++i) {
            t += step;
            switch (kind) {
                case 0:
                    v = std::max(0.0, v - rate * step);
                    break;
                case 1:
                    v = std::min(scale, v + rate * step);
                    break;
                case 2:
                    break;
                case 3:
                    v = 0;
                    break;
                case 4:
                    v = std::max(0.0, v + uniform(-3, 3));
                    break;
                default:
                    v = std::round(uniform(0, 60));
                    break;
            }
            Point p{t, std::round(v)};
            if (chance(0.05)) p.trusted = false;
            if (chance(0.03)) p.restart = true;
            if (chance(0.03)) p.t = t - uniform(0, 600);  // out of order or duplicate
            out.push_back(p);
        }
        if (chance(0.15)) t += uniform(3600, 20000);  // monitoring down
    }
    return out;
}

class RandomSeriesTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(RandomSeriesTest, OutputsAreAlwaysSane) {
    const auto series = RandomSeries(GetParam());
    const std::optional<ChunkLoop> loop =
        GetParam() % 2 ? std::optional(LoopEndingAt(kT0 + 1000, 60 + GetParam() % 240))
                       : std::nullopt;
    for (std::size_t n = 0; n <= series.size(); ++n) {
        const Trend t = Prefix(series, n, loop);
        ExpectSane(t, fmt::format("seed {}, {} points", GetParam(), n));
        const auto ready = EtaToReady(t, loop, t.at);
        if (ready) {
            EXPECT_TRUE(std::isfinite(*ready) && *ready >= 0) << *ready;
        }
        if (HasFailure()) return;  // one report per seed is enough
    }
}

INSTANTIATE_TEST_SUITE_P(Estimate, RandomSeriesTest, ::testing::Range(1u, 41u),
                         [](const auto& info) { return fmt::format("Seed{}", info.param); });

}  // namespace
}  // namespace mfsmon::trend
