// The entry point of the Prometheus renderer: which parts were read, the health report, and
// the areas of the snapshot in a fixed order (docs/metrics.md lists every family).
#include "render/prometheus_metrics.h"

#include <map>
#include <string_view>
#include <utility>

#include "render/prometheus_areas.h"

namespace mfsmon::render {

namespace prom {

namespace {

std::string_view SeverityKey(health::State s) {
    switch (s) {
        case health::State::kOk:
            return "ok";
        case health::State::kWarning:
            return "warning";
        case health::State::kCritical:
            return "critical";
        case health::State::kUnknown:
            return "unknown";
    }
    return "unknown";
}

template <typename T>
void AddPart(const model::Part<T>& part, std::string_view name, Family& f) {
    if (part) f.Add({{"part", name}}, *part ? 1 : 0);  // not asked: no series
}

// The value of a part that was read; nullptr when not asked or an error.
template <typename T>
const T* Read(const model::Part<T>& part) {
    return part && *part ? &part->value() : nullptr;
}

void AddPartSuccess(const model::ClusterSnapshot& s, Sink& out) {
    Family f = out.Gauge("mfsmon_scrape_part_success",
                         "1 when a part of the snapshot was read, 0 when it could not be (its "
                         "metrics are absent); no series when it was not asked for.");
    AddPart(s.matrices, "matrix", f);
    AddPart(s.chunkservers, "chunkservers", f);
    AddPart(s.disks, "disks", f);
    AddPart(s.metaloggers, "metaloggers", f);
    AddPart(s.chunk_loop, "chunk_loop", f);
    AddPart(s.fs_check, "fs_check", f);
    AddPart(s.storage_classes, "storage_classes", f);
    AddPart(s.class_matrices, "class_matrices", f);
    AddPart(s.missing_files, "missing_files", f);
    out.Put(std::move(f));
}

}  // namespace

void AddHealth(const health::Report& report, Sink& out) {
    out.Single("mfsmon_health_status",
               "The cluster's health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (check health).",
               static_cast<int>(report.state));
    std::map<std::pair<std::string_view, health::State>, int> counts;
    for (const auto& f : report.findings) {
        if (!f.muted) ++counts[{f.code, f.severity}];
    }
    Family findings =
        out.Gauge("mfsmon_health_finding", "Findings of the health report by code and severity.");
    for (const auto& [key, n] : counts) {
        findings.Add({{"code", key.first}, {"severity", SeverityKey(key.second)}}, n);
    }
    out.Put(std::move(findings));
}

}  // namespace prom

std::vector<prometheus::MetricFamily> ClusterMetricFamilies(
    const model::ClusterSnapshot& snapshot, const health::Report& report,
    const std::vector<std::pair<std::string, std::string>>& const_labels) {
    using namespace prom;
    std::vector<prometheus::MetricFamily> families;
    families.reserve(96);
    Sink out(const_labels, families);
    AddPartSuccess(snapshot, out);
    AddHealth(report, out);
    AddMaster(snapshot, out);
    if (const auto* m = Read(snapshot.matrices)) AddMatrices(*m, out);
    if (const auto* cs = Read(snapshot.chunkservers)) AddChunkservers(*cs, out);
    if (const auto* d = Read(snapshot.disks)) AddDisks(*d, out);
    if (const auto* ml = Read(snapshot.metaloggers)) AddMetaloggers(*ml, out);
    if (const auto* loop = Read(snapshot.chunk_loop)) AddChunkLoop(*loop, out);
    if (const auto* fs = Read(snapshot.fs_check)) AddFsCheck(*fs, out);
    if (const auto* sc = Read(snapshot.storage_classes)) {
        AddStorageClasses(*sc, snapshot.info.version.major >= 4, out);
    }
    if (const auto* cm = Read(snapshot.class_matrices)) AddClassMatrices(*cm, out);
    if (const auto* mf = Read(snapshot.missing_files)) AddMissingFiles(*mf, out);
    return families;
}

}  // namespace mfsmon::render
