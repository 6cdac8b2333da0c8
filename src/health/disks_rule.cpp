#include "health/disks_rule.h"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/human_units.h"
#include "common/printable.h"
#include "health/counted.h"
#include "health/utc_time.h"

namespace mfsmon::health {

namespace {

UsageRange MustParse(std::string_view text) {
    return std::move(UsageRange::Parse(text)).value();
}

std::string MfrText(std::uint8_t status, bool three_x) {
    switch (status) {
        case 0:
            return three_x ? "pending" : "validating";
        case 1:
            return "in progress";
        case 2:
            return "ready";
        default:
            return fmt::format("unknown status {}", status);
    }
}

}  // namespace

DiskRules DiskRules::Defaults() {
    DiskRules r;
    r.usage.warning = MustParse("90%");
    r.usage.critical = MustParse("99%");
    return r;
}

std::string DiskName(const std::string& server, const model::Disk& disk) {
    return server + ":" + ControlCharsReplaced(disk.path);
}

std::uint64_t ChunksDependingOnMarkedDisks(const model::ChunkMatrices& m) {
    const auto all = model::Summarize(m.combined.all).Deficient();
    const auto regular = model::Summarize(m.combined.regular).Deficient();
    return regular > all ? regular - all : 0;
}

void EvaluateDisks(const model::ClusterSnapshot& snap, const DiskRules& rules, Evaluation& ev) {
    const auto* servers = NeedPart(snap.chunkservers, "the chunkserver list (CSERV_LIST)", ev);
    const auto* all_disks = NeedPart(snap.disks, "the disk lists", ev);
    if (servers == nullptr || all_disks == nullptr) return;
    const bool three_x = snap.info.version.major < 4;

    std::map<std::string, const model::ChunkServer*> by_name;
    unsigned not_asked = 0;
    for (const auto& cs : *servers) {
        by_name[model::ChunkServerName(cs)] = &cs;
        if (!cs.connected()) ++not_asked;
    }

    unsigned disks = 0, invalid = 0, damaged = 0, marked = 0, ready = 0, errors = 0, scanning = 0,
             unreachable = 0;
    std::uint64_t used = 0, total = 0;
    for (const auto& sd : *all_disks) {
        if (!sd.disks) {
            ++unreachable;
            ev.Add("disks.chunkserver_unreachable", State::kCritical,
                   fmt::format("disks of chunkserver {} unknown: {}", sd.server,
                               sd.disks.error().message),
                   1, sd.server);
            ev.details.push_back(
                fmt::format("{}: no disk list ({})", sd.server, sd.disks.error().message));
            continue;
        }
        const auto it = by_name.find(sd.server);
        const model::ChunkServer* cs = it == by_name.end() ? nullptr : it->second;
        for (const auto& d : sd.disks.value()) {
            ++disks;
            const std::string name = DiskName(sd.server, d);
            std::vector<std::string> status;
            if (d.invalid()) {
                ++invalid;
                status.push_back("invalid");
                ev.Add("disks.invalid", State::kCritical, fmt::format("disk {} invalid", name), 1,
                       name);
            } else if (d.damaged() && !d.scanning()) {
                ++damaged;
                status.push_back("damaged");
                ev.Add("disks.damaged", State::kCritical, fmt::format("disk {} damaged", name), 1,
                       name);
            }
            if (d.scanning()) {
                ++scanning;
                const auto pct = d.scan_progress_percent();
                status.push_back(pct ? fmt::format("scanning {}%", *pct) : "scanning");
                ev.Add("disks.scanning", State::kOk,
                       fmt::format("disk {} scanning{}", name,
                                   pct ? fmt::format(" ({}%)", *pct) : std::string()),
                       1, name);
            }
            if (d.error_time != 0) {
                const std::string when = UtcTime(d.error_time, TimePrecision::kSecond);
                const auto age = snap.collected_at - static_cast<std::int64_t>(d.error_time);
                if (age <= rules.io_error_window.count()) {
                    ++errors;
                    ev.Add("disks.io_error", State::kWarning,
                           fmt::format("disk {}: I/O error on chunk {:016X} at {} ({} ago)", name,
                                       d.error_chunk_id, when, HumanDuration(age)),
                           1, name);
                }
                status.push_back(fmt::format("last error {}", when));
            }
            if (d.marked_for_removal()) {
                ++marked;
                const std::uint8_t mfr = cs != nullptr ? cs->mfr_status : 0xFF;
                const std::string mfr_text =
                    cs != nullptr ? MfrText(mfr, three_x) : "unknown (server not in the list)";
                if (mfr == 2) {
                    ++ready;
                    ev.Add("disks.ready_for_removal", State::kOk,
                           fmt::format("disk {} marked for removal: ready, safe to remove", name),
                           d.chunks, name);
                } else {
                    ev.Add(
                        "disks.marked_for_removal", State::kWarning,
                        fmt::format("disk {} marked for removal, not ready ({})", name, mfr_text),
                        d.chunks, name);
                }
                status.push_back(fmt::format("marked for removal ({})", mfr_text));
            }
            const bool rated =
                !d.invalid() && !d.scanning() && !d.marked_for_removal() && d.total > 0;
            if (rated) {
                used += d.used;
                total += d.total;
                const State s =
                    rules.usage.Evaluate(static_cast<double>(d.used), static_cast<double>(d.total));
                if (s != State::kOk) {
                    ev.Add(s == State::kCritical ? "disks.full" : "disks.nearly_full", s,
                           fmt::format(
                               "disk {} {} used ({} of {})", name,
                               Percent(static_cast<double>(d.used), static_cast<double>(d.total)),
                               HumanBytes(static_cast<double>(d.used)),
                               HumanBytes(static_cast<double>(d.total))),
                           1, name);
                }
            }
            // While scanning, `used` is the scan progress in percent: no bytes to show.
            const std::string usage =
                d.scanning()
                    ? std::string()
                    : fmt::format(
                          "{} of {} used ({}), ", HumanBytes(static_cast<double>(d.used)),
                          HumanBytes(static_cast<double>(d.total)),
                          Percent(static_cast<double>(d.used), static_cast<double>(d.total)));
            ev.details.push_back(fmt::format(
                "{}: {} chunks, {}{}", name, d.chunks, usage,
                status.empty() ? std::string("ok") : fmt::format("{}", fmt::join(status, ", "))));
        }
    }
    if (marked > 0 && snap.matrices && *snap.matrices) {
        const auto depending = ChunksDependingOnMarkedDisks(snap.matrices->value());
        ev.details.insert(ev.details.begin(),
                          fmt::format("{} chunks still depend on disks marked for removal "
                                      "(below goal once they are taken out)",
                                      depending));
        ev.perfdata.push_back(Metric("marked_dependent_chunks", static_cast<double>(depending)));
    }
    const std::string where =
        fmt::format("{} on {}", Counted(disks, "disk", "disks"),
                    Counted(all_disks->size(), "chunkserver", "chunkservers"));
    ev.ok_summary = where + " OK";
    ev.details.insert(ev.details.begin(),
                      fmt::format("{}: {} invalid, {} damaged, {} marked "
                                  "for removal ({} ready), {} with recent I/O errors, {} scanning; "
                                  "{} chunkservers did not answer, {} disconnected not asked",
                                  where, invalid, damaged, marked, ready, errors, scanning,
                                  unreachable, not_asked));
    ev.perfdata.push_back(Metric("disks", disks));
    ev.perfdata.push_back(Metric("invalid", invalid));
    ev.perfdata.push_back(Metric("damaged", damaged));
    ev.perfdata.push_back(Metric("marked_for_removal", marked));
    ev.perfdata.push_back(Metric("io_errors", errors));
    ev.perfdata.push_back(Metric("scanning", scanning));
    ev.perfdata.push_back(Metric("unreachable_chunkservers", unreachable));
    ev.perfdata.push_back(
        Metric("used", static_cast<double>(used), "B", 0.0, static_cast<double>(total)));
}

}  // namespace mfsmon::health
