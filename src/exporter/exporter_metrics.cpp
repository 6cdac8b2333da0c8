#include "exporter/exporter_metrics.h"

#include <string>

namespace mfsmon::exporter {

namespace {

prometheus::MetricFamily Gauge(const char* name, const char* help, double value,
                               std::vector<prometheus::ClientMetric::Label> labels = {}) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
    return f;
}

prometheus::MetricFamily Counter(const char* name, const char* help, double value) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric m;
    m.counter.value = value;
    f.metric.push_back(std::move(m));
    return f;
}

}  // namespace

ExporterMetrics::ExporterMetrics(const std::string& version)
    : requests_(prometheus::BuildCounter()
                    .Name("mfsmon_exporter_http_requests_total")
                    .Help("HTTP requests answered, by handler and status code.")
                    .Register(registry_)),
      collections_(prometheus::BuildCounter()
                       .Name("mfsmon_exporter_collections_total")
                       .Help("Collections from MooseFS masters, by result (a collection shared "
                             "by concurrent probes counts once).")
                       .Register(registry_)),
      collections_ok_(collections_.Add({{"result", "success"}})),
      collections_failed_(collections_.Add({{"result", "failure"}})),
      shared_(prometheus::BuildCounter()
                  .Name("mfsmon_exporter_shared_probes_total")
                  .Help("Probes answered from a collection another probe of the same target "
                        "had in flight.")
                  .Register(registry_)
                  .Add({})),
      refused_(prometheus::BuildCounter()
                   .Name("mfsmon_exporter_refused_targets_total")
                   .Help("Probes refused (HTTP 403) because no --allow-target matched.")
                   .Register(registry_)
                   .Add({})),
      version_(version) {}

void ExporterMetrics::CountRequest(std::string_view handler, int status) {
    requests_.Add({{"handler", std::string(handler)}, {"code", std::to_string(status)}})
        .Increment();
}

void ExporterMetrics::CountCollection(bool success) {
    (success ? collections_ok_ : collections_failed_).Increment();
}

void ExporterMetrics::CountSharedProbe() {
    shared_.Increment();
}

void ExporterMetrics::CountRefusedTarget() {
    refused_.Increment();
}

std::vector<prometheus::MetricFamily> ExporterMetrics::Collect(
    const collect::ConnectionPoolStats& pool, std::size_t in_flight) const {
    std::vector<prometheus::MetricFamily> out = registry_.Collect();
    out.push_back(Gauge("mfsmon_exporter_build_info", "The exporter's version (value 1).", 1,
                        {{"version", version_}}));
    out.push_back(Gauge("mfsmon_exporter_collections_in_flight",
                        "Collections running now (one per target, however many probes wait).",
                        static_cast<double>(in_flight)));
    out.push_back(Gauge("mfsmon_exporter_idle_connections",
                        "Connections to masters and chunkservers kept open between scrapes.",
                        static_cast<double>(pool.idle)));
    out.push_back(Counter("mfsmon_exporter_connection_reuses_total",
                          "Collections' connections that were borrowed from the idle pool.",
                          static_cast<double>(pool.reused)));
    out.push_back(Counter("mfsmon_exporter_connection_misses_total",
                          "Connections a collection needed and the pool did not have (opened "
                          "anew).",
                          static_cast<double>(pool.missed)));
    out.push_back(Counter("mfsmon_exporter_connection_drops_total",
                          "Idle connections closed: by the peer, out of step, idle too long or "
                          "over the pool's limits.",
                          static_cast<double>(pool.dropped)));
    return out;
}

}  // namespace mfsmon::exporter
