#include "exporter/prober.h"

#include <cstdio>
#include <sstream>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include "cli/cluster_checks.h"
#include "collect/collector.h"
#include "common/printable.h"
#include "health/cluster_health.h"
#include "render/prometheus_metrics.h"
#include "transport/deadline.h"
#include "transport/reply_reading.h"

namespace mfsmon::exporter {

namespace {

using Clock = std::chrono::steady_clock;

prometheus::MetricFamily Gauge(const char* name, const char* help, double value,
                               const LabelPairs& labels) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
    return f;
}

void AddProbeFamilies(std::vector<prometheus::MetricFamily>& families, bool up, double seconds,
                      const LabelPairs& labels) {
    families.push_back(Gauge("mfsmon_up",
                             "1 when the master answered and its INFO was understood, else 0.",
                             up ? 1 : 0, labels));
    families.push_back(Gauge("mfsmon_scrape_duration_seconds",
                             "How long the collection from the master and its chunkservers took.",
                             seconds, labels));
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return std::move(out).str();
}

double SecondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

ProbeAnswer DownAnswer(const std::string& why, const LabelPairs& labels, double seconds) {
    ProbeAnswer answer;
    AddProbeFamilies(answer.families, false, seconds, labels);
    answer.error = ControlCharsReplaced(why);
    // A comment line (the text format ignores it) says why, for whoever curls the probe.
    answer.text = fmt::format("# mfsmon: {}\n", answer.error) + Serialize(answer.families);
    return answer;
}

ProbeAnswer Prober::Collect(const ProbeTarget& target, const LabelPairs& labels,
                            std::chrono::milliseconds budget) {
    const Clock::time_point start = Clock::now();
    const auto deadline = transport::Deadline::After(budget);
    collect::CollectRequest request;
    request.host = target.host;
    request.port = target.port;
    request.parts = cli::HealthParts();
    request.per_chunkserver =
        settings_.per_chunkserver.count() > 0 ? settings_.per_chunkserver : budget / 2;
    request.max_open_chunkservers = settings_.max_open_chunkservers;
    request.resolve_paths = 0;  // paths go to long output, which metrics have none of
    request.pool = &pool_;

    auto snapshot = collect::Collect(request, deadline);
    metrics_.CountCollection(snapshot.ok());
    if (!snapshot) {
        std::fprintf(stderr, "mfsmon-exporter: probe of %s failed: %s\n",
                     transport::reply::PeerName(target.host, target.port).c_str(),
                     ControlCharsReplaced(snapshot.error().message).c_str());
        return DownAnswer(snapshot.error().message, labels, SecondsSince(start));
    }
    const health::Report report = health::ClusterHealthReport(*snapshot, health::RecoveryTrends{});
    ProbeAnswer answer;
    answer.families = render::ClusterMetricFamilies(*snapshot, report, labels);
    AddProbeFamilies(answer.families, true, SecondsSince(start), labels);
    answer.up = true;
    answer.text = Serialize(answer.families);
    return answer;
}

std::shared_ptr<const ProbeAnswer> Prober::Probe(const ProbeTarget& target,
                                                 const LabelPairs& labels,
                                                 std::chrono::milliseconds budget) {
    const Clock::time_point start = Clock::now();
    std::string key = transport::reply::PeerName(target.host, target.port);
    for (const auto& [k, v] : labels) key += fmt::format("\n{}={}", k, v);
    auto outcome = flights_.Do(key, start + budget, [&] {
        return std::make_shared<const ProbeAnswer>(Collect(target, labels, budget));
    });
    if (outcome.shared) metrics_.CountSharedProbe();
    if (outcome.value) return outcome.value;
    return std::make_shared<const ProbeAnswer>(
        DownAnswer(fmt::format("timeout: the collection from {} that another probe started did "
                               "not end within this probe's {}",
                               transport::reply::PeerName(target.host, target.port),
                               transport::reply::SecondsText(budget)),
                   labels, SecondsSince(start)));
}

}  // namespace mfsmon::exporter
