#include "health/files_rule.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "common/printable.h"
#include "health/utc_time.h"

namespace mfsmon::health {

void EvaluateFiles(const model::ClusterSnapshot& snap, std::size_t max_paths, Evaluation& ev) {
    const auto* fs = NeedPart(snap.fs_check, "the filesystem check info (FSTEST_INFO)", ev);
    const auto* missing = NeedPart(snap.missing_files, "the missing-chunks list", ev);
    if (fs == nullptr || missing == nullptr) return;

    const std::string as_of =
        fs->has_data() ? fmt::format("as of the master's last filesystem check loop at {}",
                                     UtcTime(fs->loop_end, TimePrecision::kMinute))
                       : std::string(
                             "the master's filesystem check loop has not completed a "
                             "pass yet");
    std::set<std::uint32_t> inodes;
    for (const auto& c : missing->chunks) inodes.insert(c.inode);
    const std::uint64_t missing_files =
        std::max<std::uint64_t>(fs->has_data() ? fs->missing_files : 0, inodes.size());

    if (missing_files > 0) {
        Finding f;
        f.code = "files.missing";
        f.severity = State::kCritical;
        f.count = missing_files;
        f.text = fmt::format("{} {} missing ({})", missing_files,
                             missing_files == 1 ? "file" : "files", as_of);
        std::map<std::uint32_t, const model::InodePaths*> paths;
        for (const auto& p : missing->paths) paths[p.inode] = &p;
        std::set<std::uint32_t> shown;
        for (const auto& c : missing->chunks) {
            if (!shown.insert(c.inode).second) continue;
            if (shown.size() > max_paths) break;
            std::string where;
            const auto it = paths.find(c.inode);
            if (it == paths.end()) {
                where = missing->paths_error ? "(path not resolved)" : "(path not asked)";
            } else if (it->second->paths.empty()) {
                where = "(no path: in trash or sustained)";
            } else {
                where = ControlCharsReplaced(it->second->paths.front());
            }
            f.lines.push_back(fmt::format("{} (inode {}, chunk {:016X} index {}: {})", where,
                                          c.inode, c.chunk_id, c.index,
                                          model::MissingTypeText(c.type())));
        }
        // By path, as mfscli lists them.
        std::sort(f.lines.begin(), f.lines.end());
        if (inodes.size() > max_paths) {
            f.lines.push_back(fmt::format("... and {} more", inodes.size() - max_paths));
        }
        if (missing->paths_error) {
            f.lines.push_back(
                fmt::format("paths could not be resolved: {}", missing->paths_error->message));
        }
        ev.findings.push_back(std::move(f));
    }
    if (fs->has_data()) {
        const std::uint64_t trash =
            fs->missing_trash_files.value_or(0) + fs->missing_sustained_files.value_or(0);
        if (trash > 0) {
            ev.Add("files.missing_in_trash", State::kCritical,
                   fmt::format("{} files in trash or sustained with missing chunks ({})", trash,
                               as_of),
                   trash);
        }
        if (fs->undergoal_files > 0) {
            ev.Add("files.undergoal", State::kWarning,
                   fmt::format("{} files undergoal ({})", fs->undergoal_files, as_of),
                   fs->undergoal_files);
        }
        ev.details.push_back(fmt::format(
            "filesystem check loop {}: {} files ({} undergoal, {} missing), {} chunks ({} "
            "undergoal, {} missing)",
            UtcTime(fs->loop_end, TimePrecision::kMinute), fs->files, fs->undergoal_files,
            fs->missing_files, fs->chunks, fs->undergoal_chunks, fs->missing_chunks));
    } else {
        ev.details.push_back(
            "filesystem check loop: no complete pass yet (about one hour per "
            "pass; paused after chunkserver disconnections)");
    }
    ev.perfdata.push_back(Metric("missing_files", static_cast<double>(missing_files)));
}

}  // namespace mfsmon::health
