// The exporter's own process, under the names every Prometheus client library uses
// (process_cpu_seconds_total, process_resident_memory_bytes, ...), read from /proc/self at
// scrape time, so dashboards made for other exporters show ours too.
#pragma once

#include <vector>

#include <prometheus/metric_family.h>

namespace mfsmon::exporter {

// Families whose source cannot be read are left out (never zeros).
std::vector<prometheus::MetricFamily> ProcessMetricFamilies();

}  // namespace mfsmon::exporter
