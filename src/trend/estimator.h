// The estimator: from a series of deficit counts (chunks below goal in one row or in total,
// or chunks that still depend on disks marked for removal) to a phase, a rate, a progress
// and an ETA. Pure functions of the series and the master's chunk-loop timing: no clock, no
// I/O, so every phase is unit-tested on synthetic series (tests/unit/trend/).
//
// How MooseFS recovers, and so what the phases mean: the master re-replicates as its chunk
// loop reaches each chunk, at a steady bulk rate limited by its replication limits; what is
// left when the bulk is done (a few chunks whose replication failed or which the loop passed
// before a copy became possible) waits for the next pass of the loop. A disk marked for
// removal is READY only after one full loop pass without deficit.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace mfsmon::trend {

// One observation. Oldest first in a series; the last point is "now".
struct Point {
    double t = 0;      // unix seconds
    double value = 0;  // chunks
    // False while the master's counters are being recomputed (matrix progress flag): the
    // point is ignored.
    bool trusted = true;
    // The master restarted, or its counters were reset, between the previous point and this
    // one: no rate is measured across it (an event still continues if the value is > 0).
    bool restart = false;
};

// The master's last complete chunk-loop pass (unix seconds; CLTOMA_CHUNKSTEST_INFO).
struct ChunkLoop {
    double start = 0;
    double end = 0;
    double Duration() const { return end > start ? end - start : 0; }
};

enum class Phase {
    kNoHistory,  // value > 0 but not enough points to measure a rate yet
    kHealthy,    // 0 now, and no event in the series or one that ended before done_hold_s
    kGrowing,    // the deficit is rising: another failure is adding to it
    // Falling at a measurable bulk rate; also a flat stretch of more than a tail that is not
    // yet stalled (no eta then: the rate is not positive).
    kRecovering,
    kTail,     // a few chunks left, waiting for the loop's next pass
    kStalled,  // > 0 and no progress for longer than the stall time
    kDone,     // 0 now after an event in the series (recovered)
};

std::string_view PhaseName(Phase p);  // "no history", "healthy", "growing", ...

struct TrendConfig {
    // The rate is measured over the latest this-many seconds of the current event (fewer when
    // the event is younger, more points when sampling is sparse: at least the last 3 points).
    double rate_window_s = 600;
    // A rate needs at least 2 trusted points this far apart.
    double min_span_s = 10;
    // No decrease for this long while > 0 is stalled; never less than two chunk-loop
    // durations when the loop is known (the tail may wait a whole pass).
    double stall_after_s = 1800;
    // At most this many chunks, and at most this share of the event's peak, count as a tail.
    double tail_max_chunks = 50;
    double tail_max_share = 0.10;
    // A remainder that still trickles down counts as a tail too, once its rate over this
    // recent window (at least 3 points) is under a third of the bulk rate: the last chunks
    // wait for the loop, and count / bulk rate would promise an end that never comes
    // (recorded on the 3.0.117 demo cluster: 42 chunks left, "5 s" said for 50 s).
    double tail_window_s = 30;
    // Points farther apart than this are a gap in sampling: no rate is measured across it.
    double max_gap_s = 3600;
    // kDone is reported while the event's end is at most this old; later it is kHealthy.
    double done_hold_s = 3600;
    // A change over the rate window is significant (beyond the noise of live counters) when
    // it exceeds both this many chunks and this share of the latest value: only a
    // significant rise is kGrowing, and only a fall that is not significant lets a small
    // remainder count as a flat kTail.
    double significant_chunks = 2;
    double significant_share = 0.05;
};

struct Trend {
    Phase phase = Phase::kNoHistory;
    double now = 0;  // latest trusted value
    // Chunks per second, positive when the deficit falls, negative when it grows; absent
    // when it cannot be measured (kNoHistory, a gap, only untrusted points).
    std::optional<double> rate;
    // Seconds until 0: kRecovering now / rate; kTail the rest of the loop pass that will
    // reach the last chunks. Absent otherwise (never 0 for "unknown").
    std::optional<double> eta_s;
    // 1 - now / peak of the current event (0..1); absent with no event.
    std::optional<double> progress;
    // t of the latest trusted point: eta_s and stalled_for_s count from it (0 with none).
    double at = 0;
    double peak = 0;                      // largest value of the current event
    std::optional<double> event_start;    // t of the event's first point above 0
    std::optional<double> event_end;      // kDone: t of the first point back at 0
    std::optional<double> stalled_for_s;  // kStalled (and kTail): seconds since the last decrease
    std::size_t points_used = 0;          // trusted points of the current event
};

// `series` oldest first; `loop` when the master told it.
Trend Estimate(std::span<const Point> series, const std::optional<ChunkLoop>& loop,
               const TrendConfig& config);

// An upper bound: READY comes a pass earlier when the loop had already passed the last
// chunks before they were copied (recorded on the demo cluster; the 3.0.117 and 4.59.2 lab
// recordings came at the bound).
// Seconds from `now` (normally Trend::at) until a disk marked for removal is READY: the
// dependent chunks' ETA (Trend::eta_s) to reach 0, then the rest of the loop pass that is
// under way at that moment, then one full pass without deficit (the master's mfr state
// machine). Absent when the trend has no ETA or the loop is unknown. With `trend.now == 0`
// the moment of 0 is the event's end when known (the clean pass may already be under way),
// else now: the rest of the current pass plus one pass.
std::optional<double> EtaToReady(const Trend& dependent, const std::optional<ChunkLoop>& loop,
                                 double now);

// The median time between consecutive trusted points, or absent with fewer than 3.
std::optional<double> MedianInterval(std::span<const Point> series);

}  // namespace mfsmon::trend
