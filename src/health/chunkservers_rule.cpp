#include "health/chunkservers_rule.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "common/human_units.h"
#include "model/ipv4.h"

namespace mfsmon::health {

namespace {

using model::ChunkServer;
using model::QueueState;

UsageRange MustParse(std::string_view text) {
    return std::move(UsageRange::Parse(text)).value();
}

std::string MaintenanceText(const ChunkServer& cs) {
    if (cs.temporary_maintenance()) return "temporary";
    if (cs.maintenance_timeout && *cs.maintenance_timeout != 0xFFFFFFFFu) {
        return fmt::format("{} left", HumanDuration(*cs.maintenance_timeout));
    }
    return "permanent";
}

}  // namespace

ChunkserverRules ChunkserverRules::Defaults() {
    ChunkserverRules r;
    r.usage.warning = MustParse("90%");
    r.usage.critical = MustParse("99%");
    return r;
}

std::string ServerKey(const ChunkServer& cs) {
    return fmt::format("{}_{}", model::Ipv4Text(cs.ip), cs.port);
}

int CompareVersions(const model::Version& a, const model::Version& b) {
    if (a < b) return -1;
    if (b < a) return 1;
    return 0;
}

void EvaluateChunkservers(const model::ClusterSnapshot& snap, const ChunkserverRules& rules,
                          Evaluation& ev) {
    const auto* servers = NeedPart(snap.chunkservers, "the chunkserver list (CSERV_LIST)", ev);
    if (servers == nullptr) return;
    const model::Version& master = snap.info.version;

    unsigned connected = 0, disconnected = 0, maintenance = 0;
    std::uint64_t used = 0, total = 0, chunks = 0;
    struct Row {
        const ChunkServer* cs;
        State state;
    };
    std::vector<Row> rows;
    for (const auto& cs : *servers) {
        const std::string name = model::ChunkServerName(cs);
        State worst = State::kOk;
        auto add = [&](std::string code, State s, std::string text) {
            worst = Worst(worst, s);
            ev.Add(std::move(code), s, std::move(text), 1, name);
        };
        if (cs.maintenance()) ++maintenance;
        if (!cs.connected()) {
            ++disconnected;
            if (cs.maintenance()) {
                add("chunkservers.disconnected_in_maintenance", State::kWarning,
                    fmt::format("chunkserver {} (id {}) disconnected in maintenance ({})", name,
                                cs.csid, MaintenanceText(cs)));
            } else {
                add("chunkservers.disconnected", State::kCritical,
                    fmt::format("chunkserver {} (id {}) disconnected", name, cs.csid));
            }
            rows.push_back({&cs, worst});
            continue;
        }
        ++connected;
        used += cs.used;
        total += cs.total;
        chunks += cs.chunks;
        if (cs.maintenance()) {
            add("chunkservers.maintenance", State::kWarning,
                fmt::format("chunkserver {} in maintenance ({})", name, MaintenanceText(cs)));
        }
        switch (cs.queue_state()) {
            case QueueState::kOverloaded:
                add("chunkservers.overloaded", State::kWarning,
                    fmt::format("chunkserver {} overloaded (load {})", name, cs.load));
                break;
            case QueueState::kRebalance:
            case QueueState::kFastRebalance:
                add("chunkservers.rebalancing", State::kOk,
                    fmt::format("chunkserver {} rebalancing{}", name,
                                cs.queue_state() == QueueState::kFastRebalance ? " (fast)" : ""));
                break;
            case QueueState::kGrace:
                add("chunkservers.grace", State::kOk,
                    fmt::format("chunkserver {} in heavy-load grace ({} left)", name,
                                HumanDuration(cs.gracetime)));
                break;
            case QueueState::kNormal:
                break;
        }
        if (const int c = CompareVersions(cs.version, master); c < 0) {
            add("chunkservers.version_older", State::kWarning,
                fmt::format("chunkserver {} runs {}, older than the master's {}", name,
                            cs.version.ToString(), master.ToString()));
        } else if (c > 0) {
            add("chunkservers.version_newer", State::kCritical,
                fmt::format("chunkserver {} runs {}, newer than the master's {}", name,
                            cs.version.ToString(), master.ToString()));
        }
        if (cs.version.pro != master.pro) {
            add("chunkservers.edition_mismatch", State::kCritical,
                fmt::format("chunkserver {} is {}, the master is {}", name,
                            cs.version.pro ? "PRO" : "community edition",
                            master.pro ? "PRO" : "community edition"));
        }
        // A server with only marked disks has no regular space: nothing to rate.
        if (cs.total > 0) {
            const State s =
                rules.usage.Evaluate(static_cast<double>(cs.used), static_cast<double>(cs.total));
            if (s != State::kOk) {
                add(s == State::kCritical ? "chunkservers.full" : "chunkservers.nearly_full", s,
                    fmt::format(
                        "chunkserver {} {} used ({} of {})", name,
                        Percent(static_cast<double>(cs.used), static_cast<double>(cs.total)),
                        HumanBytes(static_cast<double>(cs.used)),
                        HumanBytes(static_cast<double>(cs.total))));
            }
        }
        rows.push_back({&cs, worst});
    }
    if (rules.expect && connected < *rules.expect) {
        ev.Add("chunkservers.too_few", State::kCritical,
               fmt::format("{} chunkservers connected, expected at least {}", connected,
                           *rules.expect),
               *rules.expect - connected);
    }

    ev.ok_summary = fmt::format("{} chunkservers connected, {} used", connected,
                                Percent(static_cast<double>(used), static_cast<double>(total)));
    ev.details.push_back(fmt::format(
        "{} chunkservers: {} connected, {} disconnected, {} in maintenance; {} chunks, {} of {} "
        "used ({})",
        servers->size(), connected, disconnected, maintenance, chunks,
        HumanBytes(static_cast<double>(used)), HumanBytes(static_cast<double>(total)),
        Percent(static_cast<double>(used), static_cast<double>(total))));

    Perfdatum up = Metric("connected", connected);
    if (rules.expect)
        up.critical = std::move(Range::Parse(fmt::format("{}:", *rules.expect))).value();
    ev.perfdata.push_back(std::move(up));
    ev.perfdata.push_back(Metric("disconnected", disconnected));
    ev.perfdata.push_back(Metric("maintenance", maintenance));
    ev.perfdata.push_back(Metric("chunks", static_cast<double>(chunks)));
    ev.perfdata.push_back(
        Metric("used", static_cast<double>(used), "B", 0.0, static_cast<double>(total)));
    ev.perfdata.push_back(Metric("total", static_cast<double>(total), "B"));

    // Per server: the worst first, so that the ones the renderer keeps under the 8 KiB limit
    // are the ones worth seeing; then by usage.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (Rank(a.state) != Rank(b.state)) return Rank(a.state) > Rank(b.state);
        const double ua = a.cs->total ? static_cast<double>(a.cs->used) / a.cs->total : 0;
        const double ub = b.cs->total ? static_cast<double>(b.cs->used) / b.cs->total : 0;
        return ua > ub;
    });
    for (const auto& row : rows) {
        const ChunkServer& cs = *row.cs;
        const std::string name = model::ChunkServerName(cs);
        if (!cs.connected()) {
            ev.details.push_back(fmt::format("{} (id {}): disconnected{}", name, cs.csid,
                                             cs.maintenance() ? ", in maintenance" : ""));
            continue;
        }
        ev.details.push_back(fmt::format(
            "{} (id {}) {}: {} chunks, {} of {} used ({}), load {}{}", name, cs.csid,
            cs.version.ToString(), cs.chunks, HumanBytes(static_cast<double>(cs.used)),
            HumanBytes(static_cast<double>(cs.total)),
            Percent(static_cast<double>(cs.used), static_cast<double>(cs.total)), cs.load,
            cs.td_chunks > 0 ? fmt::format(", {} chunks on disks marked for removal", cs.td_chunks)
                             : std::string()));
        const std::string key = ServerKey(cs);
        Perfdatum u = Metric(key + "_used", static_cast<double>(cs.used), "B", 0.0,
                             static_cast<double>(cs.total));
        Perfdatum c = Metric(key + "_chunks", cs.chunks);
        Perfdatum l = Metric(key + "_load", cs.load);
        for (Perfdatum* p : {&u, &c, &l}) {
            p->droppable = true;
            ev.perfdata.push_back(std::move(*p));
        }
    }
}

}  // namespace mfsmon::health
