// Chunkservers (the master's list) and their disks (each server's own answer) as metrics
// (docs/metrics.md, "Chunkservers" and "Disks").
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "render/prometheus_areas.h"

namespace mfsmon::render::prom {

namespace {

std::string_view QueueStateName(model::QueueState s) {
    switch (s) {
        case model::QueueState::kNormal:
            return "normal";
        case model::QueueState::kOverloaded:
            return "overloaded";
        case model::QueueState::kRebalance:
            return "rebalance";
        case model::QueueState::kFastRebalance:
            return "fast_rebalance";
        case model::QueueState::kGrace:
            return "grace";
    }
    return "normal";
}

std::string_view RemovalStateName(std::uint8_t mfr_status) {
    switch (mfr_status) {
        case model::kMfrValidating:
            return "validating";
        case model::kMfrInProgress:
            return "in_progress";
        case model::kMfrReady:
            return "ready";
        default:
            return "unknown";
    }
}

// What a connected server reports; a disconnected one sends zeros, which are not values.
struct ServerFamilies {
    explicit ServerFamilies(const Sink& out)
        : load(out.Gauge("mfsmon_chunkserver_load", "Chunk operations the server is running.")),
          used(out.Gauge("mfsmon_chunkserver_used_bytes",
                         "Used space of the server's disks not marked for removal.")),
          total(out.Gauge("mfsmon_chunkserver_total_bytes",
                          "Total space of the server's disks not marked for removal.")),
          chunks(out.Gauge("mfsmon_chunkserver_chunks",
                           "Chunks on the server's disks not marked for removal.")),
          marked_used(out.Gauge("mfsmon_chunkserver_marked_for_removal_used_bytes",
                                "Used space of the server's disks marked for removal.")),
          marked_total(out.Gauge("mfsmon_chunkserver_marked_for_removal_total_bytes",
                                 "Total space of the server's disks marked for removal.")),
          marked_chunks(out.Gauge("mfsmon_chunkserver_marked_for_removal_chunks",
                                  "Chunks on the server's disks marked for removal.")),
          errors(out.Gauge("mfsmon_chunkserver_errors", "I/O errors the server has reported.")),
          queue_state(out.Gauge("mfsmon_chunkserver_queue_state",
                                "The server's queue state as the master sees it (1 = current).")),
          grace(out.Gauge("mfsmon_chunkserver_grace_remaining_seconds",
                          "Seconds left of the server's heavy-load grace period.")),
          removal(out.Gauge("mfsmon_chunkserver_removal_state",
                            "While the server has chunks on disks marked for removal: may they "
                            "be taken out (ready) or not yet (1 = current).")) {}

    void Put(Sink& out) {
        for (Family* f : {&load, &used, &total, &chunks, &marked_used, &marked_total,
                          &marked_chunks, &errors, &queue_state, &grace, &removal}) {
            out.Put(std::move(*f));
        }
    }

    Family load, used, total, chunks, marked_used, marked_total, marked_chunks, errors, queue_state,
        grace, removal;
};

void AddConnectedServer(const model::ChunkServer& cs, std::string_view server, ServerFamilies& f) {
    const std::initializer_list<LabelPair> labels = {{"server", server}};
    f.load.Add(labels, cs.load);
    f.used.Add(labels, static_cast<double>(cs.used));
    f.total.Add(labels, static_cast<double>(cs.total));
    f.chunks.Add(labels, cs.chunks);
    f.marked_used.Add(labels, static_cast<double>(cs.td_used));
    f.marked_total.Add(labels, static_cast<double>(cs.td_total));
    f.marked_chunks.Add(labels, cs.td_chunks);
    f.errors.Add(labels, cs.errors);
    const model::QueueState q = cs.queue_state();
    f.queue_state.AddEnum(labels, "state",
                          {"normal", "overloaded", "rebalance", "fast_rebalance", "grace"},
                          QueueStateName(q));
    if (q == model::QueueState::kGrace) f.grace.Add(labels, cs.gracetime);
    // The master sends mfr_status for every server; it means something only while the
    // server has chunks on marked disks (the only time mfscli shows it).
    if (cs.td_chunks > 0) {
        f.removal.AddEnum(labels, "state", {"validating", "in_progress", "ready", "unknown"},
                          RemovalStateName(cs.mfr_status));
    }
}

// One disk's I/O sums per window (the chunkserver's last minute, hour, day).
struct IoFamilies {
    explicit IoFamilies(const Sink& out)
        : read_bytes(out.Gauge("mfsmon_disk_read_bytes", "Bytes read in the window.")),
          written_bytes(out.Gauge("mfsmon_disk_written_bytes", "Bytes written in the window.")),
          read_ops(out.Gauge("mfsmon_disk_read_operations", "Read operations in the window.")),
          write_ops(out.Gauge("mfsmon_disk_write_operations", "Write operations in the window.")),
          fsync_ops(out.Gauge("mfsmon_disk_fsync_operations", "Fsync operations in the window.")),
          read_time(
              out.Gauge("mfsmon_disk_read_time_seconds", "Time spent reading in the window.")),
          write_time(
              out.Gauge("mfsmon_disk_write_time_seconds", "Time spent writing in the window.")),
          fsync_time(
              out.Gauge("mfsmon_disk_fsync_time_seconds", "Time spent in fsync in the window.")),
          read_max(out.Gauge("mfsmon_disk_read_max_latency_seconds",
                             "Longest read operation in the window.")),
          write_max(out.Gauge("mfsmon_disk_write_max_latency_seconds",
                              "Longest write operation in the window.")),
          fsync_max(out.Gauge("mfsmon_disk_fsync_max_latency_seconds",
                              "Longest fsync operation in the window.")) {}

    void Add(const model::Disk& d, std::string_view server, std::string_view path) {
        static constexpr std::array<std::string_view, 3> kWindows = {"minute", "hour", "day"};
        for (std::size_t w = 0; w < kWindows.size(); ++w) {
            const model::DiskStats& s = d.stats[w];
            const std::initializer_list<LabelPair> l = {
                {"server", server}, {"path", path}, {"window", kWindows[w]}};
            read_bytes.Add(l, static_cast<double>(s.bytes_read));
            written_bytes.Add(l, static_cast<double>(s.bytes_written));
            read_ops.Add(l, s.read_ops);
            write_ops.Add(l, s.write_ops);
            read_time.Add(l, static_cast<double>(s.read_usec_sum) / 1e6);
            write_time.Add(l, static_cast<double>(s.write_usec_sum) / 1e6);
            read_max.Add(l, s.read_usec_max / 1e6);
            write_max.Add(l, s.write_usec_max / 1e6);
            // The older stats form has no fsync counters: absent, not zero.
            if (d.has_fsync_stats) {
                fsync_ops.Add(l, s.fsync_ops);
                fsync_time.Add(l, static_cast<double>(s.fsync_usec_sum) / 1e6);
                fsync_max.Add(l, s.fsync_usec_max / 1e6);
            }
        }
    }

    void Put(Sink& out) {
        for (Family* f :
             {&read_bytes, &written_bytes, &read_ops, &write_ops, &fsync_ops, &read_time,
              &write_time, &fsync_time, &read_max, &write_max, &fsync_max}) {
            out.Put(std::move(*f));
        }
    }

    Family read_bytes, written_bytes, read_ops, write_ops, fsync_ops, read_time, write_time,
        fsync_time, read_max, write_max, fsync_max;
};

struct DiskFamilies {
    explicit DiskFamilies(const Sink& out)
        : success(out.Gauge("mfsmon_chunkserver_disks_success",
                            "1 when the chunkserver answered the disk query, else 0.")),
          damaged(
              out.Gauge("mfsmon_disk_damaged", "1 when the disk is damaged (taken out of use).")),
          marked(out.Gauge("mfsmon_disk_marked_for_removal",
                           "1 when the disk is marked for removal.")),
          scanning(out.Gauge("mfsmon_disk_scanning", "1 while the chunkserver scans the disk.")),
          invalid(out.Gauge("mfsmon_disk_invalid",
                            "1 when the mfshdd.cfg line names no usable folder.")),
          error_time(out.Gauge("mfsmon_disk_last_error_timestamp_seconds",
                               "When the disk last had an I/O error; 0 = never.")),
          error_info(
              out.Gauge("mfsmon_disk_last_error_info", "The chunk of the disk's last I/O error.")),
          used(out.Gauge("mfsmon_disk_used_bytes", "Used space of the disk (reserve included).")),
          total(out.Gauge("mfsmon_disk_total_bytes", "Total space of the disk.")),
          chunks(out.Gauge("mfsmon_disk_chunks", "Chunks on the disk.")),
          scan_progress(out.Gauge("mfsmon_disk_scan_progress_ratio",
                                  "Progress of the disk's scan (0-1), while scanning.")),
          io(out) {}

    void Put(Sink& out) {
        for (Family* f : {&success, &damaged, &marked, &scanning, &invalid, &error_time,
                          &error_info, &used, &total, &chunks, &scan_progress}) {
            out.Put(std::move(*f));
        }
        io.Put(out);
    }

    Family success, damaged, marked, scanning, invalid, error_time, error_info, used, total, chunks,
        scan_progress;
    IoFamilies io;
};

void AddDisk(const model::Disk& d, std::string_view server, std::string_view path,
             DiskFamilies& f) {
    const std::initializer_list<LabelPair> l = {{"server", server}, {"path", path}};
    f.damaged.Add(l, d.damaged() ? 1 : 0);
    f.marked.Add(l, d.marked_for_removal() ? 1 : 0);
    f.scanning.Add(l, d.scanning() ? 1 : 0);
    f.invalid.Add(l, d.invalid() ? 1 : 0);
    f.error_time.Add(l, d.error_time);
    if (d.has_error()) {
        f.error_info.Add({{"server", server},
                          {"path", path},
                          {"chunk", fmt::format("0x{:016X}", d.error_chunk_id)}},
                         1);
    }
    // An invalid line is sent with every value 0: nothing more is known about it.
    if (d.invalid()) return;
    if (auto progress = d.scan_progress_percent()) {
        f.scan_progress.Add(l, *progress / 100.0);  // `used` holds the percent: no bytes
    } else {
        f.used.Add(l, static_cast<double>(d.used));
        f.total.Add(l, static_cast<double>(d.total));
    }
    f.chunks.Add(l, d.chunks);
    f.io.Add(d, server, path);
}

// The path as a label value, unique on its server: two raw paths that clean up to the same
// text (differing only in bytes LabelValue replaces) would otherwise be one series twice.
std::string UniquePathLabel(const std::string& raw, std::vector<std::string>& taken) {
    const std::string clean = LabelValue(raw);
    std::string label = clean;
    for (int n = 2; std::find(taken.begin(), taken.end(), label) != taken.end(); ++n) {
        label = clean + " #" + std::to_string(n);
    }
    taken.push_back(label);
    return label;
}

}  // namespace

void AddChunkservers(const std::vector<model::ChunkServer>& servers, Sink& out) {
    Family info = out.Gauge("mfsmon_chunkserver_info",
                            "A chunkserver the master knows: id and version (empty when "
                            "disconnected).");
    Family connected = out.Gauge("mfsmon_chunkserver_connected",
                                 "1 when the chunkserver is connected to the master, else 0.");
    Family maintenance = out.Gauge("mfsmon_chunkserver_maintenance",
                                   "1 when the chunkserver is in maintenance mode, else 0.");
    Family temporary =
        out.Gauge("mfsmon_chunkserver_temporary_maintenance",
                  "1 when the maintenance is temporary (set by a graceful stop), else 0.");
    Family remaining = out.Gauge("mfsmon_chunkserver_maintenance_remaining_seconds",
                                 "Seconds left of a timed maintenance.");
    Family label = out.Gauge("mfsmon_chunkserver_label", "A label (A-Z) the chunkserver has.");
    ServerFamilies details(out);
    for (const auto& cs : servers) {
        const std::string server = model::ChunkServerName(cs);
        const std::initializer_list<LabelPair> l = {{"server", server}};
        info.Add({{"server", server},
                  {"csid", std::to_string(cs.csid)},
                  {"version", cs.connected() ? cs.version.ToString() : ""}},
                 1);
        connected.Add(l, cs.connected() ? 1 : 0);
        maintenance.Add(l, cs.maintenance() ? 1 : 0);
        temporary.Add(l, cs.temporary_maintenance() ? 1 : 0);
        if (cs.maintenance() && cs.maintenance_timeout &&
            *cs.maintenance_timeout != model::kNoMaintenanceTimeout) {
            remaining.Add(l, *cs.maintenance_timeout);
        }
        if (!cs.connected()) continue;
        // 0 and all ones both mean "no labels" (mfscli); labels are the letters A-Z.
        if (cs.labelmask != 0 && cs.labelmask != 0xFFFFFFFFu) {
            for (int bit = 0; bit < 26; ++bit) {
                if ((cs.labelmask & (1u << bit)) == 0) continue;
                const char letter[2] = {static_cast<char>('A' + bit), '\0'};
                label.Add({{"server", server}, {"label", letter}}, 1);
            }
        }
        AddConnectedServer(cs, server, details);
    }
    for (Family* f : {&info, &connected, &maintenance, &temporary, &remaining, &label}) {
        out.Put(std::move(*f));
    }
    details.Put(out);
}

void AddDisks(const std::vector<model::ServerDisks>& servers, Sink& out) {
    DiskFamilies f(out);
    std::vector<std::string> taken;
    for (const auto& sd : servers) {
        f.success.Add({{"server", sd.server}}, sd.disks ? 1 : 0);
        if (!sd.disks) continue;
        taken.clear();
        for (const auto& d : sd.disks.value()) {
            AddDisk(d, sd.server, UniquePathLabel(d.path, taken), f);
        }
    }
    f.Put(out);
}

}  // namespace mfsmon::render::prom
