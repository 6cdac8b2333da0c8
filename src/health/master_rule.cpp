#include "health/master_rule.h"

#include <fmt/format.h>

#include "common/human_units.h"
#include "health/chunkservers_rule.h"
#include "model/ipv4.h"

namespace mfsmon::health {

namespace {

Range MustParse(std::string_view text) {
    return std::move(Range::Parse(text)).value();
}

const char* SaveStatusText(std::uint8_t s) {
    switch (s) {
        case 0:
            return "saved in background";
        case 1:
            return "downloaded from another master";
        case 2:
            return "saved in foreground";
        case 3:
            return "CRC saved in background";
        default:
            return "unknown";
    }
}

}  // namespace

MasterRules MasterRules::Defaults() {
    MasterRules r;
    // The master saves every hour by default (METADATA_SAVE_FREQ): one missed save warns.
    r.save_age.warning = MustParse("7200");
    r.save_age.critical = MustParse("21600");
    r.save_duration.warning = MustParse("2700");  // the GUI's 45 minutes
    return r;
}

void EvaluateMaster(const model::ClusterSnapshot& snap, const MasterRules& rules, Evaluation& ev) {
    const auto& i = snap.info;
    // The master's own clock when it sends it (4.17+, 3.0.117), else ours.
    const std::int64_t now = i.usec_time && *i.usec_time > 0
                                 ? static_cast<std::int64_t>(*i.usec_time / 1000000)
                                 : snap.collected_at;
    ev.details.push_back(fmt::format("master {} at {}:{}, memory {}, metadata version {}",
                                     i.version.ToString(), snap.master_host, snap.master_port,
                                     HumanBytes(static_cast<double>(i.memory_usage)),
                                     i.meta_version));
    if (i.memory_usage == 0 || (i.sys_cpu == 0 && i.user_cpu == 0)) {
        ev.Add("master.no_usage_info", State::kOk,
               fmt::format("master reports no {} usage",
                           i.memory_usage == 0
                               ? (i.sys_cpu == 0 && i.user_cpu == 0 ? "memory or CPU" : "memory")
                               : "CPU"),
               0);
    }
    // Inode numbers are 31 bits (the GUI's help: warn past 95 %).
    constexpr double kInodeLimit = 2147483648.0;
    if (i.all_nodes > 0.95 * kInodeLimit) {
        ev.Add("master.inodes_nearly_exhausted", State::kWarning,
               fmt::format("{} filesystem objects: over 95% of the 2^31 limit", i.all_nodes),
               i.all_nodes);
    }
    if (i.last_store_time == 0) {
        // Not an alert: INFO carries no start time, so "never saved" is also what a master
        // that started less than an hour ago says.
        ev.details.push_back("metadata not saved since the master started");
    } else {
        const std::int64_t age = now - static_cast<std::int64_t>(i.last_store_time);
        const State s = rules.save_age.Evaluate(static_cast<double>(age));
        const std::string text = fmt::format(
            "metadata last saved {} ago ({}, took {})", HumanDuration(age),
            SaveStatusText(i.last_store_status), HumanDuration(i.last_store_duration_ms / 1000));
        if (s != State::kOk) ev.Add("master.metadata_save_age", s, text, age);
        ev.details.push_back(text);
        Perfdatum p = Metric("metadata_save_age", static_cast<double>(age), "s");
        p.warning = rules.save_age.warning;
        p.critical = rules.save_age.critical;
        ev.perfdata.push_back(std::move(p));

        const double took = i.last_store_duration_ms / 1000.0;
        const State d = rules.save_duration.Evaluate(took);
        if (d != State::kOk) {
            ev.Add("master.metadata_save_duration", d,
                   fmt::format("last metadata save took {}",
                               HumanDuration(static_cast<std::int64_t>(took))));
        }
        Perfdatum pd = Metric("metadata_save_duration", took, "s");
        pd.warning = rules.save_duration.warning;
        pd.critical = rules.save_duration.critical;
        ev.perfdata.push_back(std::move(pd));
        if (i.last_store_status == 2 || i.last_store_status > 3) {
            ev.Add("master.metadata_save_status", State::kWarning,
                   fmt::format("last metadata save: {}", SaveStatusText(i.last_store_status)));
        }
    }
    const State m = rules.memory.Evaluate(static_cast<double>(i.memory_usage));
    if (m != State::kOk) {
        ev.Add("master.memory", m,
               fmt::format("master uses {} of memory",
                           HumanBytes(static_cast<double>(i.memory_usage))));
    }
    Perfdatum mem = Metric("memory", static_cast<double>(i.memory_usage), "B");
    mem.warning = rules.memory.warning;
    mem.critical = rules.memory.critical;
    ev.perfdata.push_back(std::move(mem));

    ev.ok_summary = fmt::format(
        "master {}, {}", i.version.ToString(),
        i.last_store_time == 0
            ? std::string("metadata not saved since it started")
            : fmt::format("metadata saved {} ago",
                          HumanDuration(now - static_cast<std::int64_t>(i.last_store_time))));
    if (!rules.metaloggers) return;
    const auto* mls = NeedPart(snap.metaloggers, "the metalogger list (MLOG_LIST)", ev);
    if (mls == nullptr) return;
    if (mls->empty()) {
        ev.Add("metaloggers.none", State::kCritical, "no metalogger connected", 0);
    }
    for (const auto& ml : *mls) {
        const std::string ip = model::Ipv4Text(ml.ip);
        ev.details.push_back(fmt::format("metalogger {} {}", ip, ml.version.ToString()));
        if (const int c = CompareVersions(ml.version, i.version); c < 0) {
            ev.Add("metaloggers.version_older", State::kCritical,
                   fmt::format("metalogger {} runs {}, older than the master's {}", ip,
                               ml.version.ToString(), i.version.ToString()),
                   1, ip);
        } else if (c > 0) {
            ev.Add("metaloggers.version_newer", State::kOk,
                   fmt::format("metalogger {} runs {}, newer than the master's {}", ip,
                               ml.version.ToString(), i.version.ToString()),
                   1, ip);
        }
        if (ml.version.pro != i.version.pro) {
            ev.Add("metaloggers.edition_mismatch", State::kCritical,
                   fmt::format("metalogger {} is {}, the master is {}", ip,
                               ml.version.pro ? "PRO" : "community edition",
                               i.version.pro ? "PRO" : "community edition"),
                   1, ip);
        }
    }
    ev.ok_summary += fmt::format(", {} {} connected", mls->size(),
                                 mls->size() == 1 ? "metalogger" : "metaloggers");
    Perfdatum n = Metric("metaloggers", static_cast<double>(mls->size()));
    n.critical = MustParse("1:");
    ev.perfdata.push_back(std::move(n));
}

}  // namespace mfsmon::health
