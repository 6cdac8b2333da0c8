#include "health/codes.h"

#include <fmt/format.h>

namespace mfsmon::health {

namespace {

constexpr State kOk = State::kOk;
constexpr State kWarn = State::kWarning;
constexpr State kCrit = State::kCritical;
constexpr State kUnknown = State::kUnknown;

// Default severities follow the MooseFS 4.59 GUI where it has the condition (its "Error" is
// CRITICAL, "Warning" WARNING, "Info" OK: shown, never alerting).
constexpr CodeInfo kCodes[] = {
    // ---- replicas: the chunk matrix (live counters) ---------------------------------------
    {"replicas.missing", kCrit, "N chunks of goal G lost (no readable copy)",
     "Chunks with no valid copy on any connected chunkserver: the data of their files cannot be "
     "read. Counted live by the master (all-copies matrix, column 0).",
     "Bring back the chunkservers or disks that held them (check `chunkservers.disconnected` "
     "and `disks.*`). If they are gone for good, the files are lost: `mfsmon check health` lists "
     "them by path once the master's filesystem check loop has passed.",
     "data_health_missing", "replicas"},
    {"replicas.endangered", kCrit, "N chunks of goal G endangered (one copy left)",
     "Chunks that should have more copies but have exactly one: one more failure loses them.",
     "Find out why copies are missing (a chunkserver or disk down); the master replicates them "
     "first. Do not take any other chunkserver or disk out until the count is 0.",
     "data_health_endangered", "replicas"},
    {"replicas.undergoal", kWarn, "N chunks of goal G lack replicas",
     "Chunks with fewer copies than their goal, but more than one.",
     "Usually temporary after a chunkserver or disk loss: the master re-replicates them in its "
     "chunk loop. If the count does not fall, check space, labels and chunkservers.",
     "data_health_undergoal", "replicas"},
    {"replicas.marked_for_removal", kWarn,
     "N chunks below goal once disks marked for removal are taken out",
     "Chunks that are at goal only thanks to copies on disks marked for removal (the regular "
     "matrix's deficit minus the all matrix's). No data is lost; removing the marked disks now "
     "would make them undergoal, endangered or missing.",
     "Wait until the count is 0 and the disks say ready for removal (`mfsmon check disks`).", "",
     "replicas"},
    {"replicas.recovery_stalled", kWarn,
     "N chunks below goal and no progress for T (cause when known)",
     "Chunks have been below goal for longer than the stall time (--stall-after, default 30 "
     "min, and never less than two passes of the master's chunk loop) without the count "
     "falling, as the history of earlier checks shows. The master is not replicating them: "
     "replication is suspended while every disconnected chunkserver is in maintenance, or no "
     "chunkserver has the space or the labels their storage class needs. The cause is named "
     "when the check can see it.",
     "Read the cause in the long output. Bring back or take out of maintenance the "
     "disconnected chunkservers; free space; check the storage classes (`mfsmon check "
     "classes`). If nothing explains it, look at the master's log for replication errors.",
     "", "replicas"},
    {"replicas.evacuation_stalled", kWarn,
     "N chunks still depend on disks marked for removal and no progress for T",
     "Disks are marked for removal, but the chunks that still have copies only on them have "
     "not decreased for longer than the stall time: the master is not copying them elsewhere "
     "(no space or no suitable chunkserver for their storage class, or replication suspended "
     "by maintenance).",
     "Do not remove the disks. Free space or add chunkservers the storage classes can use; "
     "take servers out of maintenance. `mfsmon check disks` shows each marked disk.",
     "", "replicas"},
    {"replicas.counters_in_progress", kOk,
     "counters may not be valid - (dis)connections in "
     "progress",
     "The master is still processing chunkserver connections or disconnections; its chunk "
     "counters are in flux for a few seconds.",
     "Nothing; the next check reads settled counters. `check replicas --settle SEC` waits.",
     "data_health_checking", "replicas"},

    // ---- files: the master's filesystem check loop (about one pass per hour) --------------
    {"files.missing", kCrit, "N files missing (as of the last filesystem check loop)",
     "Files with at least one chunk that has no valid copy, as found by the master's last "
     "complete filesystem check loop. This list can be an hour older than the live counters.",
     "Restore the chunkservers or disks that held the chunks, or restore the files from backup. "
     "The long output lists the first paths.",
     "data_missing_files,data_mc_nocopy,data_mc_invalid,data_mc_wrongver,data_mc_partialec",
     "health"},
    {"files.missing_in_trash", kCrit, "N files in trash or sustained with missing chunks",
     "Deleted files (in trash or kept open) whose chunks have no valid copy.",
     "Nothing can be recovered from them; purge them from the trash if they are not needed.",
     "data_missing_trash_files", "health"},
    {"files.undergoal", kWarn, "N files undergoal (as of the last filesystem check loop)",
     "Files with chunks below their goal, as found by the last filesystem check loop.",
     "See `replicas.undergoal` for the live count.", "data_undergoal_files", "health"},

    // ---- chunkservers: the master's chunkserver list --------------------------------------
    {"chunkservers.disconnected", kCrit, "chunkserver IP:PORT (id N) disconnected",
     "The master knows this chunkserver but it is not connected: its chunks are not readable "
     "from it and the master re-replicates them.",
     "Start the chunkserver or fix its network. If it is gone for good, remove it from the "
     "master's list (`mfscli -CRC IP:PORT`): a remembered server blocks overgoal clean-up.",
     "cs_unreachable", "chunkservers"},
    {"chunkservers.disconnected_in_maintenance", kWarn,
     "chunkserver IP:PORT (id N) disconnected in maintenance",
     "A disconnected chunkserver announced before it left (maintenance, e.g. after a graceful "
     "stop: temporary maintenance). While every disconnected server is in maintenance the "
     "master does not replicate their chunks.",
     "Bring it back before the maintenance ends, or end maintenance so replication starts.",
     "cs_unreachable_maintain", "chunkservers"},
    {"chunkservers.maintenance", kWarn,
     "chunkserver IP:PORT in maintenance (permanent / N s left "
     "/ temporary)",
     "The chunkserver is in maintenance mode: the master does not replicate its chunks away "
     "when it disconnects, and writes avoid it.",
     "End maintenance when the work is done (`mfscli -CM0 IP:PORT`).",
     "cs_maintain,cs_maintain_tmp", "chunkservers"},
    {"chunkservers.too_few", kCrit, "N chunkservers connected, expected at least M",
     "Fewer chunkservers are connected than `--expect` says there should be.",
     "Find the missing servers (`chunkservers.disconnected` names those the master remembers).", "",
     "chunkservers"},
    {"chunkservers.overloaded", kWarn, "chunkserver IP:PORT overloaded (load N)",
     "The chunkserver reports it cannot keep up with its chunk operations.",
     "Check its disks and network; spread load (labels, more servers).", "cs_overload",
     "chunkservers"},
    {"chunkservers.rebalancing", kOk, "chunkserver IP:PORT rebalancing",
     "The master is moving chunks to or from this server to even out usage.", "Nothing.", "",
     "chunkservers"},
    {"chunkservers.grace", kOk, "chunkserver IP:PORT in heavy-load grace (N s left)",
     "After heavy load the master spares this server new work for a while.", "Nothing.", "",
     "chunkservers"},
    {"chunkservers.version_older", kWarn,
     "chunkserver IP:PORT runs VERSION, older than the "
     "master's VERSION",
     "A chunkserver left on an older version, usually after an upgrade. Allowed during an "
     "upgrade, but every component should end on the same version.",
     "Upgrade the chunkserver.", "cs_older", "chunkservers"},
    {"chunkservers.version_newer", kCrit,
     "chunkserver IP:PORT runs VERSION, newer than the "
     "master's VERSION",
     "A chunkserver newer than the master may use protocol features the master does not "
     "understand.",
     "Upgrade the master (then the other components) to the same version.", "cs_newer",
     "chunkservers"},
    {"chunkservers.edition_mismatch", kCrit, "chunkserver IP:PORT is PRO/CE, the master is CE/PRO",
     "Community and PRO components are mixed in one cluster.", "Run one edition everywhere.",
     "cs_ce_pro,cs_pro_ce", "chunkservers"},
    {"chunkservers.nearly_full", kWarn, "chunkserver IP:PORT N% used",
     "The chunkserver's regular disks are nearly full (default: 90 %).",
     "Add disks or servers, or free space.", "cs_hdds_nearly_full", "chunkservers"},
    {"chunkservers.full", kCrit, "chunkserver IP:PORT N% used",
     "The chunkserver's regular disks are full (default: 99 %): it takes no new chunks.",
     "Add disks or servers, or free space.", "cs_hdds_full", "chunkservers"},

    // ---- disks: each chunkserver's own disk list ------------------------------------------
    {"disks.chunkserver_unreachable", kCrit,
     "chunkserver IP:PORT did not answer the disk query (why)",
     "The master lists this chunkserver as connected, but it refused, did not answer in time "
     "or sent an answer mfsmon cannot read: its disks are unknown. The rest of the check is "
     "still right.",
     "Check the chunkserver process and the network between the monitor and it.",
     "hdd_cs_unreachable,hdd_cs_too_old", "disks"},
    {"disks.invalid", kCrit, "disk IP:PORT:PATH invalid",
     "A line of the chunkserver's mfshdd.cfg names no usable folder.",
     "Fix the path or the mount, then reload the chunkserver.", "hdd_invalid", "disks"},
    {"disks.damaged", kCrit, "disk IP:PORT:PATH damaged",
     "The chunkserver took the disk out of use after I/O errors.",
     "Replace the disk; its chunks are being re-replicated from other copies.", "hdd_damage",
     "disks"},
    {"disks.io_error", kWarn, "disk IP:PORT:PATH: I/O error on chunk ID at TIME",
     "The disk reported an I/O error within the window (default 24 h).",
     "Check the disk's health (SMART, kernel log); mark it for removal if it keeps failing.",
     "hdd_error", "disks"},
    {"disks.scanning", kOk, "disk IP:PORT:PATH scanning (N%)",
     "The chunkserver is scanning the disk (after a start or a disk change).",
     "Nothing; its chunks are counted once the scan ends.", "hdd_scanning", "disks"},
    {"disks.nearly_full", kWarn, "disk IP:PORT:PATH N% used",
     "The disk is nearly full (default 90 %).", "Add space.", "hdd_nearly_full", "disks"},
    {"disks.full", kCrit, "disk IP:PORT:PATH N% used", "The disk is full (default 99 %).",
     "Add space.", "hdd_full", "disks"},
    {"disks.marked_for_removal", kWarn,
     "disk IP:PORT:PATH marked for removal, not ready (validating / in progress)",
     "The disk is marked for removal (`*` in mfshdd.cfg) and its chunks are not all safe "
     "elsewhere yet. Readiness is per server: READY needs a full chunk loop without deficit, "
     "and any chunkserver disconnection sends every server back to validating.",
     "Wait; do not remove the disk until it says ready.",
     "hdd_mfr_validating,hdd_mfr_inprogress,hdd_mfr_unknown,cs_mfr_validating,cs_mfr_inprogress,"
     "cs_mfr_unknown",
     "disks"},
    {"disks.ready_for_removal", kOk, "disk IP:PORT:PATH marked for removal: ready, safe to remove",
     "Every chunk on the marked disk has its goal elsewhere.",
     "Remove the disk (and its line in mfshdd.cfg).", "hdd_mfr_ready,cs_mfr_ready", "disks"},

    // ---- space ------------------------------------------------------------------------------
    {"space.used", kWarn, "cluster N% used (USED of TOTAL)",
     "Space used on the chunkservers' regular disks, against `--used-warning/--used-critical` "
     "(percent or bytes).",
     "Add chunkservers or disks, lower goals, purge the trash.", "", "space"},

    {"space.trash_large", kWarn, "trash holds N (over a third of the cluster's space)",
     "Deleted files kept in the trash take more than a third of the cluster's total space.",
     "Purge the trash or shorten trash times (mfssettrashretention / mfssettrashtime).",
     "trash_large", "space"},

    // ---- master -------------------------------------------------------------------------------
    {"master.metadata_save_age", kWarn, "metadata last saved N ago",
     "The master saves its metadata every hour by default; an old save means a long replay of "
     "changelogs after a crash. A master that has not saved since it started (time 0) is not "
     "an alert: INFO carries no start time.",
     "Check the master's log and its DATA_PATH (space, permissions).", "", "master"},
    {"master.metadata_save_duration", kWarn, "last metadata save took N",
     "Saving the metadata took long (default threshold 45 min, as the GUI).",
     "Check the master's disk and memory; consider more RAM or faster storage.", "ms_long_duration",
     "master"},
    {"master.metadata_save_status", kWarn, "last metadata save: saved in foreground / unknown",
     "The master saved its metadata in the foreground (which blocks it: the background save "
     "could not fork) or reports a save status mfsmon does not know. Background, downloaded "
     "and CRC background saves are shown in the long output, not reported.",
     "A foreground save: check the master's memory (the background save forks).",
     "ms_last_store_foreground,ms_last_store_unknown", "master"},
    {"master.no_usage_info", kOk, "master reports no memory / CPU usage",
     "The master sends 0 for its memory or CPU usage: CPU is only measured after its first "
     "minute, and some platforms give no memory figure.",
     "Nothing, unless it persists on Linux.", "ms_no_ram_info,ms_no_cpu_info", "master"},
    {"master.inodes_nearly_exhausted", kWarn, "N filesystem objects: over 95% of the 2^31 limit",
     "MooseFS numbers filesystem objects with 31 bits; a filesystem near the limit will refuse "
     "new files.",
     "Remove unneeded files and snapshots; purge the trash.", "inod_limit_nearly_exhausted",
     "master"},
    {"master.memory", kOk, "master uses N of memory",
     "The master's resident memory, against `--memory-warning/--memory-critical` when given.",
     "The master keeps all metadata in RAM: give it room to fork for the background save.", "",
     "master"},

    // ---- metaloggers --------------------------------------------------------------------------
    {"metaloggers.none", kCrit, "no metalogger connected",
     "Only the master holds the metadata: without a metalogger (or a follower), losing the "
     "master's disk loses the filesystem.",
     "Start a metalogger (mfsmetalogger) on another host.", "ms_single", "master"},
    {"metaloggers.version_older", kCrit, "metalogger IP runs VERSION, older than the master's",
     "An older metalogger may not understand the master's changelog.", "Upgrade the metalogger.",
     "ml_older", "master"},
    {"metaloggers.version_newer", kOk, "metalogger IP runs VERSION, newer than the master's",
     "Allowed during an upgrade.", "Upgrade the master.", "ml_newer", "master"},
    {"metaloggers.edition_mismatch", kCrit, "metalogger IP is PRO/CE, the master is CE/PRO",
     "Community and PRO components are mixed.", "Run one edition everywhere.",
     "ml_ce_pro,ml_pro_ce", "master"},

    // ---- storage classes ---------------------------------------------------------------------
    {"classes.unfulfillable", kWarn,
     "storage class NAME (in use) cannot be fulfilled: no servers / no space / overloaded / EC "
     "on hold",
     "A storage class that files or directories use has a state (create, keep, archive, trash) "
     "the cluster cannot satisfy now: not enough servers or servers with the needed labels, no "
     "space, overloaded servers, or too few servers to create EC parts. Classes no file uses are "
     "never reported (7CP-9CP on a small cluster are never fulfillable).",
     "Add servers or labels, free space, or change the class.",
     "sc_achievable_no,sc_achievable_nospace,sc_achievable_overloaded,sc_achievable_keeponly",
     "classes"},
    {"classes.chunks_missing", kCrit, "storage class NAME: N chunks missing (EC parts: K)",
     "Chunks of this storage class with no readable form: no valid copy, or (EC) fewer parts "
     "than the data parts needed to rebuild it. Counted live by the master in the class's own "
     "chunk matrix (4.44+); the same chunks are in `replicas.missing`, named by class here.",
     "As for `replicas.missing`: bring back the chunkservers or disks that held them. The class "
     "tells which data is hit (e.g. an EC archive class on too few servers).",
     "", "classes"},
    {"classes.chunks_endangered", kCrit, "storage class NAME: N chunks endangered (EC parts: K)",
     "Chunks of this storage class one loss away from unreadable: one copy left, or (EC) only "
     "the data parts and no checksum part. From the class's own chunk matrix (4.44+); the same "
     "chunks are in `replicas.endangered`.",
     "As for `replicas.endangered`: do not take another chunkserver or disk out until the count "
     "is 0.",
     "", "classes"},
    {"classes.min_trash_retention_unnecessary", kWarn,
     "storage class NAME sets a minimum trash retention but has no TRASH state",
     "A 4.x storage class with a minimum trash retention but no TRASH state: the setting has "
     "no effect.",
     "Define a TRASH state or set the minimum trash retention to 0.",
     "sc_mintrashretention_unnecessary", "classes"},

    // ---- mfsmon itself -----------------------------------------------------------------------
    {"mfsmon.unreadable", kUnknown, "PART could not be read: why",
     "A part of the cluster's state that this check needs could not be read or understood "
     "(timeout, closed connection, an answer layout mfsmon does not know). mfsmon never guesses: "
     "the check is UNKNOWN rather than OK about data it did not read.",
     "Read the message: a network problem, a master version mfsmon does not support yet (report "
     "it), or a master under heavy load.",
     "ui_older", "health"},
};

}  // namespace

std::span<const CodeInfo> Codes() {
    return kCodes;
}

const CodeInfo* FindCode(std::string_view code) {
    for (const auto& c : kCodes) {
        if (c.code == code) return &c;
    }
    return nullptr;
}

std::string ExplainCode(const CodeInfo& c) {
    std::string out = fmt::format("{} ({} by default; reported by `check {}`)\n  {}\n\n", c.code,
                                  StateName(c.severity), c.check, c.summary);
    out += fmt::format("What it means:\n  {}\n\nWhat to do:\n  {}\n", c.meaning, c.action);
    if (!c.gui_ids.empty()) out += fmt::format("\nMooseFS GUI self-check ids: {}\n", c.gui_ids);
    return out;
}

std::string ListCodes() {
    std::string out;
    for (const auto& c : kCodes) {
        out += fmt::format("{:<44} {:<8} {}\n", c.code, StateName(c.severity), c.summary);
    }
    return out;
}

std::string CodesMarkdown() {
    std::string out =
        "# Health codes\n\n"
        "Every finding mfsmon reports has one of these codes. Codes are stable: alerts, `--mute` "
        "and dashboards name them, so a code is never renamed or reused. `mfsmon explain CODE` "
        "prints one of them. This page is generated from `src/health/codes.cpp` by `mfsmon "
        "explain --markdown > docs/health-codes.md`; a unit test fails when they differ. How the "
        "MooseFS GUI's self-check conditions map to these codes: "
        "[gui-conditions.md](gui-conditions.md).\n\n"
        "| code | default | check | summary |\n|---|---|---|---|\n";
    for (const auto& c : kCodes) {
        out += fmt::format("| `{}` | {} | {} | {} |\n", c.code, StateName(c.severity), c.check,
                           c.summary);
    }
    for (const auto& c : kCodes) {
        out += fmt::format(
            "\n## {}\n\nDefault: **{}**, reported by `mfsmon check {}` and `mfsmon "
            "check health`.\n\n{}\n\n**What to do:** {}\n",
            c.code, StateName(c.severity), c.check, c.meaning, c.action);
        if (!c.gui_ids.empty()) out += fmt::format("\nMooseFS GUI ids: `{}`\n", c.gui_ids);
    }
    return out;
}

}  // namespace mfsmon::health
