#include "render/json_output.h"

#include <nlohmann/json.hpp>

#include "health/replicas_rule.h"
#include "render/json_parts.h"

namespace mfsmon::render {

namespace {

using nlohmann::json;

const char* ErrorKindName(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kResolve:
            return "resolve";
        case ErrorKind::kConnect:
            return "connect";
        case ErrorKind::kTimeout:
            return "timeout";
        case ErrorKind::kClosed:
            return "closed";
        case ErrorKind::kIo:
            return "io";
        case ErrorKind::kErrorPacket:
            return "error_packet";
        case ErrorKind::kProtocol:
            return "protocol";
        case ErrorKind::kInvalidArgument:
            return "invalid_argument";
    }
    return "unknown";
}

template <typename T>
json Optional(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json ClassesJson(const model::ClassCounts& counts) {
    json out = json::object();
    for (int i = 0; i < model::kChunkClassCount; ++i) {
        const auto cls = static_cast<model::ChunkClass>(i);
        out[std::string(model::ChunkClassKey(cls))] = counts[cls];
    }
    return out;
}

json MatrixJson(const model::Matrix& m, model::RowMeaning meaning) {
    json rows = json::array();
    for (int r = 0; r < model::kMatrixSize; ++r) {
        if (model::RowTotal(m, r) == 0) continue;
        json row = {{"row", r}, {"label", health::RowLabel(meaning, r)}};
        row["cells"] = m[r];
        row["classes"] = ClassesJson(model::SummarizeRow(m, r));
        rows.push_back(std::move(row));
    }
    return {{"total", ClassesJson(model::Summarize(m))}, {"rows", std::move(rows)}};
}

json PairJson(const model::MatrixPair& pair, model::RowMeaning meaning) {
    return {{"all", MatrixJson(pair.all, meaning)}, {"regular", MatrixJson(pair.regular, meaning)}};
}

json MasterJson(const std::string& host, std::uint16_t port, const model::MasterInfo& i) {
    return {
        {"host", host},
        {"port", port},
        {"version", i.version.ToString()},
        {"pro", i.version.pro},
        {"info_length", i.layout_length},
        {"memory_usage_bytes", i.memory_usage},
        {"total_space_bytes", i.total_space},
        {"avail_space_bytes", i.avail_space},
        {"free_space_bytes", Optional(i.free_space)},
        {"trash_space_bytes", i.trash_space},
        {"trash_files", i.trash_files},
        {"sustained_space_bytes", i.sustained_space},
        {"sustained_files", i.sustained_files},
        {"fs_objects", i.all_nodes},
        {"directories", i.dir_nodes},
        {"files", i.file_nodes},
        {"chunks", i.chunks},
        {"all_copies", Optional(i.all_copies)},
        {"regular_copies", Optional(i.regular_copies)},
        {"copy_chunks", Optional(i.copy_chunks)},
        {"ec8_chunks", Optional(i.ec8_chunks)},
        {"ec4_chunks", Optional(i.ec4_chunks)},
        {"last_store_time", i.last_store_time},
        {"last_store_duration_ms", i.last_store_duration_ms},
        {"last_store_status", i.last_store_status},
        {"meta_version", i.meta_version},
    };
}

json MatricesJson(const model::ChunkMatrices& m) {
    json matrices = {
        {"progress", m.progress},
        {"progress_text", std::string(model::ProgressText(m.progress))},
        {"rows", m.rows == model::RowMeaning::kGoal ? "goal" : "redundancy_level_plus_one"},
        {"combined", PairJson(m.combined, m.rows)},
    };
    if (m.copies) matrices["copies"] = PairJson(*m.copies, m.rows);
    if (m.ec8) matrices["ec8"] = PairJson(*m.ec8, m.rows);
    if (m.ec4) matrices["ec4"] = PairJson(*m.ec4, m.rows);
    return matrices;
}

json FindingsJson(const health::Report& report) {
    json findings = json::array();
    for (const auto& f : report.findings) {
        json item = {{"code", f.code},
                     {"severity", health::StateName(f.severity)},
                     {"text", f.text},
                     {"count", f.count}};
        if (f.row) item["row"] = *f.row;
        if (!f.subject.empty()) item["subject"] = f.subject;
        if (!f.lines.empty()) item["lines"] = f.lines;
        if (f.muted) item["muted"] = true;
        findings.push_back(std::move(item));
    }
    return findings;
}

json PerfdataJson(const health::Report& report) {
    json perfdata = json::array();
    for (const auto& p : report.perfdata) {
        json item = {{"label", p.label}, {"value", p.value}};
        if (!p.uom.empty()) item["uom"] = p.uom;
        if (p.warning) item["warning"] = p.warning->text();
        if (p.critical) item["critical"] = p.critical->text();
        if (p.min) item["min"] = *p.min;
        if (p.max) item["max"] = *p.max;
        perfdata.push_back(std::move(item));
    }
    return perfdata;
}

json Maybe(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

json TrendJson(const trend::Trend& t) {
    return {{"phase", std::string(trend::PhaseName(t.phase))},
            {"now", t.now},
            {"rate_per_second", Maybe(t.rate)},
            {"eta_seconds", Maybe(t.eta_s)},
            {"progress", Maybe(t.progress)},
            {"peak", t.peak},
            {"event_start", Maybe(t.event_start)},
            {"event_end", Maybe(t.event_end)},
            {"stalled_for_seconds", Maybe(t.stalled_for_s)}};
}

json TrendsJson(const health::RecoveryTrends& t) {
    json rows = json::object();
    for (const auto& [row, trend] : t.by_row) rows[health::RowKey(t.rows, row)] = TrendJson(trend);
    json loop = nullptr;
    if (t.loop) loop = {{"start", t.loop->start}, {"end", t.loop->end}};
    return {{"history_samples", t.history_samples},
            {"total", TrendJson(t.total)},
            {"rows", rows},
            {"evacuation", TrendJson(t.marked)},
            {"eta_ready_seconds", Maybe(t.eta_ready_s)},
            {"chunk_loop", loop},
            {"median_check_interval_seconds", Maybe(t.median_interval_s)},
            {"notes", t.notes}};
}

std::string Dump(const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string RenderReplicasJson(const model::ReplicaSnapshot& snapshot, const health::Report& report,
                               const health::RecoveryTrends* trends) {
    json matrices = MatricesJson(snapshot.matrices);
    json findings = FindingsJson(report);
    json perfdata = PerfdataJson(report);
    json out = {
        {"check", "replicas"},
        {"state", health::StateName(report.state)},
        {"exit_code", static_cast<int>(report.state)},
        {"summary", report.summary},
        {"master", MasterJson(snapshot.master_host, snapshot.master_port, snapshot.info)},
        {"matrices", std::move(matrices)},
        {"findings", std::move(findings)},
        {"details", report.details},
        {"perfdata", std::move(perfdata)},
    };
    if (trends != nullptr && trends->enabled) out["trends"] = TrendsJson(*trends);
    return Dump(out);
}

std::string RenderJsonError(std::string_view check, const Error& error) {
    json out = {
        {"check", std::string(check)},
        {"state", "UNKNOWN"},
        {"exit_code", 3},
        {"error", {{"kind", ErrorKindName(error.kind)}, {"message", error.message}}},
    };
    return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace mfsmon::render

namespace mfsmon::render::json_parts {

nlohmann::json Master(const std::string& host, std::uint16_t port, const model::MasterInfo& info) {
    return MasterJson(host, port, info);
}
nlohmann::json Matrices(const model::ChunkMatrices& m) {
    return MatricesJson(m);
}
nlohmann::json Findings(const health::Report& report) {
    return FindingsJson(report);
}
nlohmann::json Perfdata(const health::Report& report) {
    return PerfdataJson(report);
}
nlohmann::json Trends(const health::RecoveryTrends& trends) {
    return TrendsJson(trends);
}
std::string Dump(const nlohmann::json& j) {
    return render::Dump(j);
}

}  // namespace mfsmon::render::json_parts
