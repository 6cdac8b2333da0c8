// The master's INFO answer and its metalogger list as metrics (docs/metrics.md, "Master" and
// "Metaloggers").
#include <map>
#include <string>
#include <utility>

#include "model/ipv4.h"
#include "render/prometheus_areas.h"

namespace mfsmon::render::prom {

namespace {

void AddSpace(const model::MasterInfo& i, Sink& out) {
    out.Single("mfsmon_space_total_bytes", "Total space of the chunkservers' disks (CLTOMA_INFO).",
               static_cast<double>(i.total_space));
    out.Single("mfsmon_space_available_bytes", "Space available for new data (CLTOMA_INFO).",
               static_cast<double>(i.avail_space));
    if (i.free_space) {
        out.Single("mfsmon_space_free_bytes",
                   "Free space of the chunkservers' disks (CLTOMA_INFO).",
                   static_cast<double>(*i.free_space));
    }
    out.Single("mfsmon_trash_bytes", "Space held by files in the trash.",
               static_cast<double>(i.trash_space));
    out.Single("mfsmon_trash_files", "Files in the trash.", i.trash_files);
    out.Single("mfsmon_sustained_bytes", "Space held by deleted files still open (sustained).",
               static_cast<double>(i.sustained_space));
    out.Single("mfsmon_sustained_files", "Deleted files still open (sustained).",
               i.sustained_files);
}

void AddObjectsAndChunks(const model::MasterInfo& i, Sink& out) {
    Family objects = out.Gauge("mfsmon_fs_objects",
                               "Filesystem objects by type; the sum is all objects (CLTOMA_INFO).");
    objects.Add({{"type", "directory"}}, i.dir_nodes);
    objects.Add({{"type", "file"}}, i.file_nodes);
    // Everything else the master counts (symlinks, devices, ...); a master whose total is
    // below the two counts gets no "other" rather than a wrapped-around number.
    const std::uint64_t known = std::uint64_t{i.dir_nodes} + i.file_nodes;
    if (i.all_nodes >= known)
        objects.Add({{"type", "other"}}, static_cast<double>(i.all_nodes - known));
    out.Put(std::move(objects));

    out.Single("mfsmon_master_chunks", "Chunks the master knows (CLTOMA_INFO).", i.chunks);
    Family by_storage = out.Gauge("mfsmon_master_chunks_by_storage",
                                  "Chunks by storage mode (MooseFS 4.x CLTOMA_INFO).");
    if (i.copy_chunks) by_storage.Add({{"storage", "copies"}}, *i.copy_chunks);
    if (i.ec8_chunks) by_storage.Add({{"storage", "ec8"}}, *i.ec8_chunks);
    if (i.ec4_chunks) by_storage.Add({{"storage", "ec4"}}, *i.ec4_chunks);
    out.Put(std::move(by_storage));

    Family copies = out.Gauge(
        "mfsmon_chunk_copies",
        "Chunk copies on all disks, and on disks not marked for removal (3.x CLTOMA_INFO).");
    if (i.all_copies) copies.Add({{"matrix", "all"}}, *i.all_copies);
    if (i.regular_copies) copies.Add({{"matrix", "regular"}}, *i.regular_copies);
    out.Put(std::move(copies));
    if (i.chunk_copies) {
        out.Single("mfsmon_chunk_full_copies",
                   "Copies of the chunks stored as copies (4.x CLTOMA_INFO).",
                   static_cast<double>(*i.chunk_copies));
    }
    Family parts = out.Gauge("mfsmon_chunk_ec_parts", "Parts of EC chunks (4.x CLTOMA_INFO).");
    if (i.ec8_parts) parts.Add({{"storage", "ec8"}}, static_cast<double>(*i.ec8_parts));
    if (i.ec4_parts) parts.Add({{"storage", "ec4"}}, static_cast<double>(*i.ec4_parts));
    out.Put(std::move(parts));
    if (i.hypothetical_copies) {
        out.Single("mfsmon_chunk_hypothetical_copies",
                   "Copies the chunks would take if none were EC (4.x CLTOMA_INFO).",
                   static_cast<double>(*i.hypothetical_copies));
    }
}

void AddMetadata(const model::MasterInfo& i, Sink& out) {
    out.Single("mfsmon_metadata_version", "The master's metadata version (changes applied).",
               static_cast<double>(i.meta_version));
    out.Single("mfsmon_metadata_save_timestamp_seconds",
               "When the master last saved its metadata; 0 = not since it started.",
               i.last_store_time);
    // Duration and status describe a save; a master that has not saved has neither.
    if (i.last_store_time == 0) return;
    out.Single("mfsmon_metadata_save_duration_seconds", "How long the last metadata save took.",
               i.last_store_duration_ms / 1000.0);
    out.Single("mfsmon_metadata_save_status",
               "How the last metadata save was made: 0 background, 1 downloaded from another "
               "master, 2 foreground (background failed), 3 CRC in background.",
               i.last_store_status);
    if (i.last_store_meta_version) {
        out.Single("mfsmon_metadata_save_version", "Metadata version of the last save (4.x).",
                   static_cast<double>(*i.last_store_meta_version));
    }
}

}  // namespace

void AddMaster(const model::ClusterSnapshot& snapshot, Sink& out) {
    const model::MasterInfo& i = snapshot.info;
    const std::uint64_t id = snapshot.MetadataId();
    Family info = out.Gauge("mfsmon_master_info",
                            "The master's version and the cluster's metadata id (empty: unknown).");
    info.Add({{"version", i.version.ToString()}, {"metadata_id", id ? std::to_string(id) : ""}}, 1);
    out.Put(std::move(info));

    // The master sends 0 when it cannot measure (mfscli: "not available"): no series then.
    if (i.memory_usage > 0) {
        out.Single("mfsmon_master_memory_bytes", "The master's resident memory.",
                   static_cast<double>(i.memory_usage));
    }
    if (i.user_cpu > 0 || i.sys_cpu > 0) {
        Family cpu = out.Gauge("mfsmon_master_cpu_usage_ratio",
                               "The master's CPU use as a fraction of one core, by mode.");
        cpu.Add({{"mode", "user"}}, static_cast<double>(i.user_cpu) / 1e9);
        cpu.Add({{"mode", "system"}}, static_cast<double>(i.sys_cpu) / 1e9);
        out.Put(std::move(cpu));
    }
    if (i.usec_time) {
        out.Single("mfsmon_master_time_seconds", "The master's clock (unix time).",
                   static_cast<double>(*i.usec_time) / 1e6);
    }
    AddSpace(i, out);
    AddObjectsAndChunks(i, out);
    AddMetadata(i, out);
}

void AddMetaloggers(const std::vector<model::Metalogger>& metaloggers, Sink& out) {
    out.Single("mfsmon_metaloggers", "Metaloggers connected to the master.",
               static_cast<double>(metaloggers.size()));
    // Two metaloggers on one host with one version would be one series twice: count them.
    std::map<std::pair<std::string, std::string>, int> seen;
    for (const auto& ml : metaloggers) ++seen[{model::Ipv4Text(ml.ip), ml.version.ToString()}];
    Family info = out.Gauge("mfsmon_metalogger_info",
                            "Connected metaloggers by address and version (normally 1 each).");
    for (const auto& [key, n] : seen)
        info.Add({{"address", key.first}, {"version", key.second}}, n);
    out.Put(std::move(info));
}

}  // namespace mfsmon::render::prom
