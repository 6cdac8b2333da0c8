#include "render/cluster_json.h"

#include <nlohmann/json.hpp>

#include "model/ipv4.h"
#include "render/json_parts.h"

namespace mfsmon::render {

namespace {

using nlohmann::json;

json ErrorJson(const Error& e) {
    return {{"error", {{"message", e.message}}}};
}

template <typename T, typename F>
void PutPart(json& out, const char* key, const model::Part<T>& part, F to_json) {
    if (!part) return;
    out[key] = *part ? to_json(part->value()) : ErrorJson(part->error());
}

json VersionJson(const model::Version& v) {
    return v.ToString();
}

json ChunkserverJson(const model::ChunkServer& cs) {
    json j = {{"name", model::ChunkServerName(cs)},
              {"ip", model::Ipv4Text(cs.ip)},
              {"port", cs.port},
              {"id", cs.csid},
              {"connected", cs.connected()},
              {"maintenance", cs.maintenance()},
              {"temporary_maintenance", cs.temporary_maintenance()},
              {"version", VersionJson(cs.version)},
              {"used_bytes", cs.used},
              {"total_bytes", cs.total},
              {"chunks", cs.chunks},
              {"marked_used_bytes", cs.td_used},
              {"marked_total_bytes", cs.td_total},
              {"marked_chunks", cs.td_chunks},
              {"errors", cs.errors},
              {"load", cs.load},
              {"labelmask", cs.labelmask},
              {"mfr_status", cs.mfr_status}};
    if (cs.maintenance_timeout) j["maintenance_timeout"] = *cs.maintenance_timeout;
    return j;
}

json DiskJson(const model::Disk& d) {
    json j = {{"path", d.path},
              {"flags", d.flags},
              {"invalid", d.invalid()},
              {"damaged", d.damaged()},
              {"scanning", d.scanning()},
              {"marked_for_removal", d.marked_for_removal()},
              {"error_chunk_id", d.error_chunk_id},
              {"error_time", d.error_time},
              {"used_bytes", d.used},
              {"total_bytes", d.total},
              {"chunks", d.chunks}};
    if (auto p = d.scan_progress_percent()) j["scan_progress_percent"] = *p;
    return j;
}

json ClassJson(const model::StorageClass& c) {
    auto counts = [](const model::ChunkCounts& k) {
        return json{{"under_copy", k.under_copy}, {"under_ec", k.under_ec},
                    {"exact_copy", k.exact_copy}, {"exact_ec", k.exact_ec},
                    {"over_copy", k.over_copy},   {"over_ec", k.over_ec}};
    };
    auto state = [](const model::ClassState& s, model::StateKind kind) {
        if (!model::IsDefined(s, kind)) return json(nullptr);
        return json{{"target", s.TargetText()},
                    {"can_be_fulfilled", s.can_be_fulfilled_raw},
                    {"labels", s.labels_count}};
    };
    return {{"id", c.id},
            {"name", c.name},
            {"files", c.files},
            {"dirs", c.dirs},
            {"in_use", c.in_use()},
            {"create", state(c.create, model::StateKind::kCreate)},
            {"keep", state(c.keep, model::StateKind::kKeep)},
            {"archive", state(c.archive, model::StateKind::kArchive)},
            {"trash", state(c.trash, model::StateKind::kTrash)},
            {"keep_counts", counts(c.keep_counts)},
            {"archive_counts", counts(c.archive_counts)},
            {"trash_counts", counts(c.trash_counts)}};
}

}  // namespace

std::string RenderClusterJson(std::string_view check, const model::ClusterSnapshot& s,
                              const health::Report& report, const health::RecoveryTrends* trends) {
    json out = {
        {"check", std::string(check)},
        {"state", health::StateName(report.state)},
        {"exit_code", static_cast<int>(report.state)},
        {"summary", report.summary},
        {"collected_at", s.collected_at},
        {"master", json_parts::Master(s.master_host, s.master_port, s.info)},
    };
    PutPart(out, "matrices", s.matrices, [](const auto& m) { return json_parts::Matrices(m); });
    PutPart(out, "chunkservers", s.chunkservers, [](const auto& list) {
        json a = json::array();
        for (const auto& cs : list) a.push_back(ChunkserverJson(cs));
        return a;
    });
    PutPart(out, "disks", s.disks, [](const auto& list) {
        json a = json::array();
        for (const auto& sd : list) {
            json server = {{"server", sd.server}, {"id", sd.csid}};
            if (sd.disks) {
                json disks = json::array();
                for (const auto& d : sd.disks.value()) disks.push_back(DiskJson(d));
                server["disks"] = std::move(disks);
            } else {
                server["error"] = {{"message", sd.disks.error().message}};
            }
            a.push_back(std::move(server));
        }
        return a;
    });
    PutPart(out, "metaloggers", s.metaloggers, [](const auto& list) {
        json a = json::array();
        for (const auto& ml : list) {
            a.push_back({{"ip", model::Ipv4Text(ml.ip)}, {"version", VersionJson(ml.version)}});
        }
        return a;
    });
    PutPart(out, "chunk_loop", s.chunk_loop, [](const auto& loop) {
        json counters = json::object();
        for (const auto& c : loop.counters) counters[std::string(c.key)] = c.value;
        return json{{"start", loop.start}, {"end", loop.end}, {"counters", counters}};
    });
    PutPart(out, "fs_check", s.fs_check, [](const auto& fs) {
        return json{{"loop_start", fs.loop_start},
                    {"loop_end", fs.loop_end},
                    {"files", fs.files},
                    {"undergoal_files", fs.undergoal_files},
                    {"missing_files", fs.missing_files},
                    {"chunks", fs.chunks},
                    {"undergoal_chunks", fs.undergoal_chunks},
                    {"missing_chunks", fs.missing_chunks}};
    });
    PutPart(out, "storage_classes", s.storage_classes, [](const auto& sc) {
        json a = json::array();
        for (const auto& c : sc.classes) a.push_back(ClassJson(c));
        return json{{"all_servers", sc.all_servers}, {"classes", a}};
    });
    PutPart(out, "class_matrices", s.class_matrices, [](const auto& list) {
        json a = json::array();
        for (const auto& cm : list) {
            json j = {{"class_id", cm.class_id}};
            if (cm.matrices) {
                j["matrices"] = json_parts::Matrices(cm.matrices.value());
            } else {
                j["error"] = {{"message", cm.matrices.error().message}};
            }
            a.push_back(std::move(j));
        }
        return a;
    });
    PutPart(out, "missing_files", s.missing_files, [](const auto& mf) {
        json chunks = json::array();
        for (const auto& c : mf.chunks) {
            chunks.push_back({{"chunk_id", c.chunk_id},
                              {"inode", c.inode},
                              {"index", c.index},
                              {"type", std::string(model::MissingTypeText(c.type()))}});
        }
        json paths = json::array();
        for (const auto& p : mf.paths) paths.push_back({{"inode", p.inode}, {"paths", p.paths}});
        json j = {{"chunks", chunks}, {"paths", paths}};
        if (mf.paths_error) j["paths_error"] = mf.paths_error->message;
        return j;
    });
    out["findings"] = json_parts::Findings(report);
    out["details"] = report.details;
    out["perfdata"] = json_parts::Perfdata(report);
    if (trends != nullptr && trends->enabled) out["trends"] = json_parts::Trends(*trends);
    return json_parts::Dump(out);
}

}  // namespace mfsmon::render
