#include "trend/estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace mfsmon::trend {

namespace {

// Theil–Sen looks at every pair of points: 200 points are about 20000 pairs, plenty for a
// median, and a window holding thousands of samples still costs a check only microseconds.
constexpr std::size_t kMaxRatePoints = 200;
// When sampling is sparse the window reaches back to this many points, so one odd sample
// cannot set the rate alone.
constexpr std::size_t kMinRatePoints = 3;

// A trusted point, in time order. `cut`: a restart or a gap in sampling lies between it and
// the previous trusted point, so no rate is measured across it. `restart`: the cut is a
// restart, so a drop there is the master recounting rather than progress.
struct Sample {
    double t = 0;
    double value = 0;
    bool cut = false;
    bool restart = false;
};

bool Finite(double x) {
    return std::isfinite(x);
}

double Knob(double value, double fallback) {
    return Finite(value) && value >= 0 ? value : fallback;
}

// A NaN or negative knob falls back to its default instead of poisoning every output.
TrendConfig Sane(const TrendConfig& c) {
    const TrendConfig d;
    TrendConfig out;
    out.rate_window_s = Knob(c.rate_window_s, d.rate_window_s);
    out.min_span_s = Knob(c.min_span_s, d.min_span_s);
    out.stall_after_s = Knob(c.stall_after_s, d.stall_after_s);
    out.tail_max_chunks = Knob(c.tail_max_chunks, d.tail_max_chunks);
    out.tail_max_share = Knob(c.tail_max_share, d.tail_max_share);
    out.tail_window_s = Knob(c.tail_window_s, d.tail_window_s);
    out.max_gap_s = Knob(c.max_gap_s, d.max_gap_s);
    out.done_hold_s = Knob(c.done_hold_s, d.done_hold_s);
    out.significant_chunks = Knob(c.significant_chunks, d.significant_chunks);
    out.significant_share = Knob(c.significant_share, d.significant_share);
    return out;
}

// A loop whose times are missing or backwards tells nothing about when passes end.
std::optional<ChunkLoop> KnownLoop(const std::optional<ChunkLoop>& loop) {
    if (!loop || !Finite(loop->start) || !Finite(loop->end)) return std::nullopt;
    const double d = loop->Duration();
    if (!Finite(d) || d <= 0) return std::nullopt;
    return loop;
}

// Times closer than this are the same moment (unix seconds; the master's are whole seconds).
constexpr double kSameMoment = 1e-3;

// The end of the first pass that ends at or after `t`, taking passes to follow the last
// complete one back to back.
double PassEndFrom(const ChunkLoop& loop, double t) {
    const double d = loop.Duration();
    if (t <= loop.end) return loop.end;
    double end = loop.end + std::ceil((t - loop.end) / d) * d;
    if (end < t) end += d;  // rounding
    return end;
}

// The median; reorders `v`, which must not be empty.
double Median(std::vector<double>& v) {
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (v.size() % 2 == 1) return *mid;
    return std::midpoint(*std::max_element(v.begin(), mid), *mid);
}

// Keeps the points that can be believed, in time order. Points not later than the one
// before are dropped (a clock step or a duplicate write cannot be ordered); untrusted points
// and impossible values (NaN, negative) are skipped but keep their place in time. A restart
// on a dropped point still cuts the rate at the next point kept.
std::vector<Sample> TrustedSamples(std::span<const Point> series, double max_gap_s) {
    std::vector<Sample> out;
    out.reserve(series.size());
    double last_t = -std::numeric_limits<double>::infinity();
    bool restart = false;
    for (const Point& p : series) {
        restart = restart || p.restart;
        if (!Finite(p.t) || p.t <= last_t) continue;
        last_t = p.t;
        if (!p.trusted || !Finite(p.value) || p.value < 0) continue;
        Sample s{p.t, p.value, false, false};
        if (!out.empty()) {
            s.restart = restart;
            s.cut = restart || s.t - out.back().t > max_gap_s;
        }
        out.push_back(s);
        restart = false;
    }
    return out;
}

// Index of the first point of the run of values > 0 that ends at `last` (inclusive).
std::size_t RunStart(const std::vector<Sample>& s, std::size_t last) {
    std::size_t first = last;
    while (first > 0 && s[first - 1].value > 0) --first;
    return first;
}

// Median of the pairwise slopes (chunks per second, rising positive), or absent when no
// pair gives a finite slope.
std::optional<double> TheilSenSlope(std::span<const Sample> points) {
    std::vector<double> slopes;
    slopes.reserve(points.size() * (points.size() - 1) / 2);
    for (std::size_t i = 0; i < points.size(); ++i) {
        for (std::size_t j = i + 1; j < points.size(); ++j) {
            const double slope = (points[j].value - points[i].value) / (points[j].t - points[i].t);
            if (Finite(slope)) slopes.push_back(slope);
        }
    }
    if (slopes.empty()) return std::nullopt;
    return Median(slopes);
}

// At most kMaxRatePoints evenly spread by index, first and last kept.
std::vector<Sample> Thin(std::span<const Sample> points) {
    if (points.size() <= kMaxRatePoints) return {points.begin(), points.end()};
    std::vector<Sample> out;
    out.reserve(kMaxRatePoints);
    for (std::size_t k = 0; k < kMaxRatePoints; ++k) {
        out.push_back(points[k * (points.size() - 1) / (kMaxRatePoints - 1)]);
    }
    return out;
}

struct RateFit {
    double rate = 0;  // chunks per second, falling positive
    double span = 0;  // seconds between the first and last point used
};

// The rate over the latest rate_window_s of `run` (points with no cut between them), reaching
// back to kMinRatePoints and to min_span_s when sampling is sparse.
std::optional<RateFit> MeasureRate(std::span<const Sample> run, const TrendConfig& c) {
    if (run.size() < 2) return std::nullopt;
    const double last_t = run.back().t;
    std::size_t first = run.size() - 1;
    while (first > 0) {
        const bool in_window = run[first - 1].t >= last_t - c.rate_window_s;
        const bool too_few =
            run.size() - first < kMinRatePoints || last_t - run[first].t < c.min_span_s;
        if (!in_window && !too_few) break;
        --first;
    }
    const double span = last_t - run[first].t;
    if (!Finite(span) || span < c.min_span_s || span <= 0) return std::nullopt;
    const auto slope = TheilSenSlope(Thin(run.subspan(first)));
    if (!slope) return std::nullopt;
    // 0.0 - slope rather than -slope: a flat series reads 0, not -0.
    return RateFit{0.0 - *slope, span};
}

// Seconds the value has not decreased, at the last point of `event`: since the last point
// lower than the one before it, or since the event started. A drop at a restart is the
// master recounting, not progress, so it does not count.
double SinceLastDecrease(std::span<const Sample> event) {
    std::size_t i = event.size() - 1;
    while (i > 0 && (event[i].value >= event[i - 1].value || event[i].restart)) --i;
    return event.back().t - event[i].t;
}

double PeakOf(std::span<const Sample> event) {
    double peak = 0;
    for (const Sample& s : event) peak = std::max(peak, s.value);
    return peak;
}

double Progress(double now, double peak) {
    if (!(peak > 0)) return 0;
    return std::clamp(1 - now / peak, 0.0, 1.0);
}

// The value is 0 now: kDone while the last event's end is recent, else kHealthy.
Trend Settled(const std::vector<Sample>& s, const TrendConfig& c) {
    Trend out;
    out.phase = Phase::kHealthy;
    out.at = s.back().t;
    std::size_t end = s.size() - 1;  // the first 0 after the last event
    while (end > 0 && s[end - 1].value <= 0) --end;
    if (end == 0) return out;  // never above 0
    const double event_end = s[end].t;
    if (out.at - event_end > c.done_hold_s) return out;
    const std::size_t start = RunStart(s, end - 1);
    out.phase = Phase::kDone;
    out.peak = PeakOf(std::span(s).subspan(start, end - start));
    out.progress = 1;
    out.event_start = s[start].t;
    out.event_end = event_end;
    out.points_used = end - start + 1;
    return out;
}

// Absurd inputs (times near the limits of a double) could still overflow a difference:
// an output that is not a finite, non-negative number is left out rather than passed on.
void Scrub(Trend& t) {
    for (std::optional<double>* field : {&t.eta_s, &t.stalled_for_s}) {
        if (*field && !(Finite(**field) && **field >= 0)) field->reset();
    }
    if (t.rate && !Finite(*t.rate)) t.rate.reset();
}

}  // namespace

std::string_view PhaseName(Phase p) {
    switch (p) {
        case Phase::kNoHistory:
            return "no history";
        case Phase::kHealthy:
            return "healthy";
        case Phase::kGrowing:
            return "growing";
        case Phase::kRecovering:
            return "recovering";
        case Phase::kTail:
            return "tail";
        case Phase::kStalled:
            return "stalled";
        case Phase::kDone:
            return "done";
    }
    return "?";
}

// The phase, in order of precedence:
//  - kGrowing: the window rose significantly (see TrendConfig::significant_*: by more than
//    max(significant_chunks, significant_share * now) chunks, the Theil–Sen slope times the
//    window's span). A rise within the noise is not growing: live counters jitter.
//  - kStalled: no decrease for max(stall_after_s, 2 loop durations); a rise counts as no
//    decrease, so a slow rise within the noise ends up stalled rather than growing.
//  - kNoHistory: no rate (fewer than 2 trusted points min_span_s apart since the event
//    started, the last restart or the last gap).
//  - kTail: at most min(tail_max_chunks, tail_max_share * peak) chunks left and the window
//    did not fall significantly, or the recent rate (tail_window_s) is under a third of the
//    bulk's: the bulk is done and the rest waits for the loop. The ETA is the end of the
//    pass under way (without the loop's timing: the remainder over its recent rate), not the
//    remainder over the bulk rate.
//  - kRecovering: anything else; eta = now / rate when the rate is positive.
Trend Estimate(std::span<const Point> series, const std::optional<ChunkLoop>& loop,
               const TrendConfig& config) {
    const TrendConfig c = Sane(config);
    const std::vector<Sample> samples = TrustedSamples(series, c.max_gap_s);
    if (samples.empty()) return Trend{};
    if (samples.back().value <= 0) return Settled(samples, c);

    const std::size_t start = RunStart(samples, samples.size() - 1);
    const auto event = std::span(samples).subspan(start);
    Trend out;
    out.now = event.back().value;
    out.at = event.back().t;
    out.peak = PeakOf(event);
    out.progress = Progress(out.now, out.peak);
    out.event_start = event.front().t;
    out.points_used = event.size();

    std::size_t run_start = event.size() - 1;
    while (run_start > 0 && !event[run_start].cut) --run_start;
    const auto fit = MeasureRate(event.subspan(run_start), c);
    if (fit) out.rate = fit->rate;

    const auto known_loop = KnownLoop(loop);
    const double noise = std::max(c.significant_chunks, c.significant_share * out.now);
    const double fall = fit ? fit->rate * fit->span : 0;  // over the window; < 0 is a rise
    const double stall_after =
        std::max(c.stall_after_s, known_loop ? 2 * known_loop->Duration() : 0.0);
    const double stalled_for = SinceLastDecrease(event);
    const double tail_max = std::min(c.tail_max_chunks, c.tail_max_share * out.peak);
    // The remainder's own pace, over the recent window only.
    TrendConfig recent_window = c;
    recent_window.rate_window_s = std::min(c.tail_window_s, c.rate_window_s);
    const auto recent = MeasureRate(event.subspan(run_start), recent_window);
    const bool slowed = fit && recent && fit->rate > 0 && recent->rate < fit->rate / 3;

    if (fit && -fall > noise) {
        out.phase = Phase::kGrowing;
    } else if (stalled_for > 0 && stalled_for >= stall_after) {
        out.phase = Phase::kStalled;
        out.stalled_for_s = stalled_for;
    } else if (!fit) {
        out.phase = Phase::kNoHistory;
    } else if (out.now <= tail_max && (fall <= noise || slowed)) {
        out.phase = Phase::kTail;
        out.stalled_for_s = stalled_for;
        if (recent) out.rate = recent->rate;  // what the remainder does, not what the bulk did
        // A pass ending right now did not reach them (or the value would be 0). Without the
        // loop's timing, the remainder's own pace is the best there is.
        if (known_loop) {
            out.eta_s = PassEndFrom(*known_loop, out.at + kSameMoment) - out.at;
        } else if (recent && recent->rate > 0) {
            out.eta_s = out.now / recent->rate;
        }
    } else {
        out.phase = Phase::kRecovering;
        if (fit->rate > 0) out.eta_s = out.now / fit->rate;
    }
    Scrub(out);
    return out;
}

std::optional<double> EtaToReady(const Trend& dependent, const std::optional<ChunkLoop>& loop,
                                 double now) {
    const auto known = KnownLoop(loop);
    if (!known || !Finite(now)) return std::nullopt;
    // When the last dependent chunk was (or will be) copied.
    double zero_at = now;
    if (!(dependent.now <= 0)) {
        if (!dependent.eta_s || !Finite(*dependent.eta_s) || *dependent.eta_s < 0) {
            return std::nullopt;
        }
        zero_at = now + *dependent.eta_s;
    } else if (dependent.event_end && Finite(*dependent.event_end) && *dependent.event_end <= now) {
        // Already done: the clean pass may be the one under way (recorded on the 3.0.117
        // lab: copies done 2 s before a pass ended, READY at the end of the next one).
        zero_at = *dependent.event_end;
    }
    // The pass under way when the last chunk is fixed saw deficit, so the server only moves
    // to "was in progress" at its end; READY comes at the end of the next, clean, pass. A
    // kTail ETA ends exactly at a pass end: that pass is the one under way, not the next.
    const double d = known->Duration();
    const double pass_end = known->end + std::ceil((zero_at - kSameMoment - known->end) / d) * d;
    double ready = pass_end + d;
    // A READY that should have come already: just after a pass ends, the master's answer can
    // still name the pass before (recorded on the 4.59.2 lab: a check 0.5 s after the end saw
    // the old pass and NOT READY; READY came with the next check). Within half a pass it is
    // due now; later, something sent the server back (a disconnection): the next pass end.
    if (ready < now) ready = now - ready < d / 2 ? now : PassEndFrom(*known, now);
    const double eta = ready - now;
    if (!Finite(eta) || eta < 0) return std::nullopt;
    return eta;
}

std::optional<double> MedianInterval(std::span<const Point> series) {
    const std::vector<Sample> samples =
        TrustedSamples(series, std::numeric_limits<double>::infinity());
    if (samples.size() < 3) return std::nullopt;
    std::vector<double> intervals;
    intervals.reserve(samples.size() - 1);
    for (std::size_t i = 1; i < samples.size(); ++i) {
        intervals.push_back(samples[i].t - samples[i - 1].t);
    }
    return Median(intervals);
}

}  // namespace mfsmon::trend
