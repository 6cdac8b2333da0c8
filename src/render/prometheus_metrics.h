// Prometheus metric families of one master's snapshot and its health report: the renderer
// behind mfsmon-exporter's /metrics and /probe. It only formats: findings come from the
// Report, never from a rule of its own, and it opens no socket. Every metric, its labels and
// its source are listed in docs/metrics.md.
//
// Families are built as plain prometheus::MetricFamily values (no Registry: no locks, no
// hashing), so a scrape costs a few allocations per series.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "health/report.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::render {

// Every metric of one master's snapshot and its health report. `const_labels` are added to
// every series (the exporter's /metrics passes {"master", "host:port"} when it serves several
// masters; /probe passes none); their names must not be one of the metrics' own labels.
std::vector<prometheus::MetricFamily> ClusterMetricFamilies(
    const model::ClusterSnapshot& snapshot, const health::Report& report,
    const std::vector<std::pair<std::string, std::string>>& const_labels);

}  // namespace mfsmon::render
