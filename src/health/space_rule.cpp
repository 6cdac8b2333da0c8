#include "health/space_rule.h"

#include <fmt/format.h>

#include "common/human_units.h"

namespace mfsmon::health {

SpaceRules SpaceRules::Defaults() {
    SpaceRules r;
    r.used.warning = std::move(UsageRange::Parse("90%")).value();
    r.used.critical = std::move(UsageRange::Parse("99%")).value();
    return r;
}

void EvaluateSpace(const model::ClusterSnapshot& snap, const SpaceRules& rules, Evaluation& ev) {
    const auto& i = snap.info;
    const double total = static_cast<double>(i.total_space);
    // "avail" is what the master can still place chunks on; used is the rest.
    const double avail = static_cast<double>(i.avail_space);
    const double used = total > avail ? total - avail : 0;

    const State used_state = rules.used.Evaluate(used, total);
    const State free_state = rules.free.Evaluate(avail, total);
    const State state = Worst(used_state, free_state);
    const std::string text =
        fmt::format("cluster {} used ({} of {}, {} free)", Percent(used, total), HumanBytes(used),
                    HumanBytes(total), HumanBytes(avail));
    if (state != State::kOk) {
        ev.Add("space.used", state, text, static_cast<std::uint64_t>(used));
    }
    ev.ok_summary = text;
    ev.details.push_back(text);
    // The GUI's help describes this one (trash_large) without raising it; a third is its figure.
    if (total > 0 && static_cast<double>(i.trash_space) * 3 > total) {
        ev.Add("space.trash_large", State::kWarning,
               fmt::format("trash holds {} (over a third of the cluster's {})",
                           HumanBytes(static_cast<double>(i.trash_space)), HumanBytes(total)),
               i.trash_space);
    }
    ev.details.push_back(
        fmt::format("trash: {} in {} files; sustained (deleted, still open): {} "
                    "in {} files",
                    HumanBytes(static_cast<double>(i.trash_space)), i.trash_files,
                    HumanBytes(static_cast<double>(i.sustained_space)), i.sustained_files));
    Perfdatum used_pd = Metric("used", used, "B", 0.0, total);
    Perfdatum pct = Metric("used_percent", total > 0 ? used * 100.0 / total : 0, "%", 0.0, 100.0);
    if (rules.used.warning && rules.used.warning->percent())
        pct.warning = rules.used.warning->range();
    if (rules.used.critical && rules.used.critical->percent()) {
        pct.critical = rules.used.critical->range();
    }
    ev.perfdata.push_back(std::move(pct));
    ev.perfdata.push_back(std::move(used_pd));
    ev.perfdata.push_back(Metric("free", avail, "B", 0.0, total));
    ev.perfdata.push_back(Metric("total", total, "B"));
    ev.perfdata.push_back(Metric("trash", static_cast<double>(i.trash_space), "B"));
    ev.perfdata.push_back(Metric("trash_files", i.trash_files));
    ev.perfdata.push_back(Metric("sustained", static_cast<double>(i.sustained_space), "B"));
    ev.perfdata.push_back(Metric("sustained_files", i.sustained_files));
}

}  // namespace mfsmon::health
