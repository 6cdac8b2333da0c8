// One probe: collect a master's snapshot now (no background polling, no cache), rate it with
// `check health`'s rules, and write it in the Prometheus text format with `mfsmon_up` and
// `mfsmon_scrape_duration_seconds` (the shape of blackbox_exporter's prober).
//
// A master that cannot be reached or whose INFO is not understood gives `mfsmon_up 0` and a
// comment line saying why, within the budget; a part that fails (one chunkserver, one
// request) is `mfsmon_scrape_part_success 0` and findings, with everything else still there.
// Concurrent probes of the same target share one collection (single_flight.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "collect/connection_pool.h"
#include "exporter/exporter_metrics.h"
#include "exporter/single_flight.h"

namespace mfsmon::exporter {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct ProbeTarget {
    std::string host;
    std::uint16_t port = 9421;
};

struct ProberSettings {
    // Each chunkserver's disk query; 0: half of the probe's budget.
    std::chrono::milliseconds per_chunkserver{0};
    std::size_t max_open_chunkservers = 64;
};

struct ProbeAnswer {
    std::vector<prometheus::MetricFamily> families;  // /metrics merges several masters' families
    std::string text;  // the same, serialised (text format 0.0.4), with `error` as a comment
    bool up = false;
    std::string error;  // why not up
};

class Prober {
  public:
    Prober(collect::ConnectionPool& pool, ExporterMetrics& metrics, ProberSettings settings)
        : pool_(pool), metrics_(metrics), settings_(settings) {}

    // `labels` go on every series of the target (the /metrics handler names each master).
    std::shared_ptr<const ProbeAnswer> Probe(const ProbeTarget& target, const LabelPairs& labels,
                                             std::chrono::milliseconds budget);

    std::size_t InFlight() const { return flights_.InFlight(); }

  private:
    ProbeAnswer Collect(const ProbeTarget& target, const LabelPairs& labels,
                        std::chrono::milliseconds budget);

    collect::ConnectionPool& pool_;
    ExporterMetrics& metrics_;
    ProberSettings settings_;
    SingleFlight<ProbeAnswer> flights_;
};

// The answer when there is no snapshot: mfsmon_up 0 and why (also used when a probe waited
// for a shared collection longer than its own budget).
ProbeAnswer DownAnswer(const std::string& why, const LabelPairs& labels, double seconds);

}  // namespace mfsmon::exporter
