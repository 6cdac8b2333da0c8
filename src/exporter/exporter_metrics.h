// What the exporter counts about itself, served on /metrics beside the process metrics:
// requests by handler and status code, collections by result, how many probes shared a
// collection in flight, refused targets, and the connection pool. Counters live in a
// prometheus-cpp Registry (thread-safe; the HTTP workers count concurrently).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "collect/connection_pool.h"

namespace mfsmon::exporter {

class ExporterMetrics {
  public:
    explicit ExporterMetrics(const std::string& version);

    void CountRequest(std::string_view handler, int status);
    void CountCollection(bool success);
    void CountSharedProbe();
    void CountRefusedTarget();

    std::vector<prometheus::MetricFamily> Collect(const collect::ConnectionPoolStats& pool,
                                                  std::size_t in_flight) const;

  private:
    prometheus::Registry registry_;
    prometheus::Family<prometheus::Counter>& requests_;
    prometheus::Family<prometheus::Counter>& collections_;
    prometheus::Counter& collections_ok_;
    prometheus::Counter& collections_failed_;
    prometheus::Counter& shared_;
    prometheus::Counter& refused_;
    std::string version_;
};

}  // namespace mfsmon::exporter
