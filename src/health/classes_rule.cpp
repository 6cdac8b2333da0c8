#include "health/classes_rule.h"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/printable.h"

namespace mfsmon::health {

std::string_view FulfillableText(model::Fulfillable f) {
    switch (f) {
        case model::Fulfillable::kNo:
            return "not enough servers (or servers with the needed labels)";
        case model::Fulfillable::kNoSpace:
            return "no space";
        case model::Fulfillable::kOverloaded:
            return "servers overloaded";
        case model::Fulfillable::kYes:
            return "yes";
        case model::Fulfillable::kEcOnHold:
            return "EC on hold (enough servers to keep EC data, not to create more)";
        case model::Fulfillable::kUnknown:
            return "unknown";
    }
    return "unknown";
}

namespace {

using model::ChunkClass;

// A class's perfdata: dropped first when the output nears Nagios' size limit.
void AddClassMetric(Evaluation& ev, const std::string& name, const char* suffix,
                    std::uint64_t value) {
    Perfdatum p = Metric(fmt::format("class_{}_{}", name, suffix), static_cast<double>(value));
    p.droppable = true;
    ev.perfdata.push_back(std::move(p));
}

// The EC forms of a class's chunks, each summarised once (all-copies matrix).
struct EcShare {
    const char* label;  // "EC 4+n"
    model::ClassCounts counts;
};

std::vector<EcShare> EcShares(const model::ChunkMatrices& m) {
    std::vector<EcShare> shares;
    if (m.ec4) shares.push_back({"EC 4+n", model::Summarize(m.ec4->all)});
    if (m.ec8) shares.push_back({"EC 8+n", model::Summarize(m.ec8->all)});
    return shares;
}

// "; EC 4+n parts: 1 missing, 4 endangered" for the EC forms that have any.
std::string EcText(const std::vector<EcShare>& shares) {
    std::string text;
    for (const auto& s : shares) {
        const auto missing = s.counts[ChunkClass::kMissing];
        const auto endangered = s.counts[ChunkClass::kEndangered];
        if (missing == 0 && endangered == 0) continue;
        text += fmt::format("; {} parts: {} missing, {} endangered", s.label, missing, endangered);
    }
    return text;
}

// The class's own chunk matrix (4.44+): its missing and endangered chunks by name. Rated on
// the all-copies matrix, as `replicas.*` is.
void EvaluateClassChunks(const std::string& name, const model::ChunkMatrices& m, Evaluation& ev) {
    const auto counts = model::Summarize(m.combined.all);
    const auto ec = EcShares(m);
    const struct {
        ChunkClass which;
        const char* code;
        const char* word;
    } alerts[] = {{ChunkClass::kMissing, "classes.chunks_missing", "missing"},
                  {ChunkClass::kEndangered, "classes.chunks_endangered", "endangered"}};
    for (const auto& a : alerts) {
        const auto n = counts[a.which];
        if (n == 0) continue;
        std::string text =
            fmt::format("storage class {}: {} chunk{} {}", name, n, n == 1 ? "" : "s", a.word);
        std::uint64_t ec_n = 0;
        for (const auto& s : ec) ec_n += s.counts[a.which];
        if (ec_n > 0) text += fmt::format(" ({} of them EC)", ec_n);
        ev.Add(a.code, State::kCritical, std::move(text), n, name);
    }
    ev.details.push_back(fmt::format(
        "class {}: chunk matrix: {} missing, {} endangered, {} undergoal, {} stable, {} "
        "overgoal{}",
        name, counts[ChunkClass::kMissing], counts[ChunkClass::kEndangered],
        counts[ChunkClass::kUndergoal], counts[ChunkClass::kStable], counts[ChunkClass::kOvergoal],
        EcText(ec)));
    AddClassMetric(ev, name, "missing", counts[ChunkClass::kMissing]);
    AddClassMetric(ev, name, "endangered", counts[ChunkClass::kEndangered]);
}

}  // namespace

void EvaluateClasses(const model::ClusterSnapshot& snap, Evaluation& ev) {
    const auto* classes = NeedPart(snap.storage_classes, "the storage classes (SCLASS_INFO)", ev);
    if (classes == nullptr) return;
    // Per-class matrices: absent on masters before 4.44 (nothing to say), else one per class
    // in use or the error that kept them all from being read.
    const std::vector<model::ClassMatrices>* class_matrices = nullptr;
    if (snap.class_matrices) {
        class_matrices = NeedPart(snap.class_matrices, "the per-class chunk matrices", ev);
    }
    unsigned in_use = 0, unfulfillable = 0;
    for (const auto& c : classes->classes) {
        const std::string name = ControlCharsReplaced(c.name);
        const auto under = c.keep_counts.under_copy + c.keep_counts.under_ec +
                           c.archive_counts.under_copy + c.archive_counts.under_ec +
                           c.trash_counts.under_copy + c.trash_counts.under_ec;
        const auto exact = c.keep_counts.exact_copy + c.keep_counts.exact_ec +
                           c.archive_counts.exact_copy + c.archive_counts.exact_ec +
                           c.trash_counts.exact_copy + c.trash_counts.exact_ec;
        const auto over = c.keep_counts.over_copy + c.keep_counts.over_ec +
                          c.archive_counts.over_copy + c.archive_counts.over_ec +
                          c.trash_counts.over_copy + c.trash_counts.over_ec;
        if (c.min_trash_retention_hours > 0 &&
            !model::IsDefined(c.trash, model::StateKind::kTrash) && snap.info.version.major >= 4) {
            ev.Add("classes.min_trash_retention_unnecessary", State::kWarning,
                   fmt::format("storage class {} sets a minimum trash retention of {} h but has "
                               "no TRASH state",
                               name, c.min_trash_retention_hours),
                   1, name);
        }
        if (!c.in_use()) continue;
        ++in_use;
        struct Named {
            const char* name;
            const model::ClassState* state;
            model::StateKind kind;
        };
        const Named states[] = {{"create", &c.create, model::StateKind::kCreate},
                                {"keep", &c.keep, model::StateKind::kKeep},
                                {"archive", &c.archive, model::StateKind::kArchive},
                                {"trash", &c.trash, model::StateKind::kTrash}};
        std::vector<std::string> problems;
        for (const auto& s : states) {
            if (!model::IsDefined(*s.state, s.kind)) continue;
            const auto f = s.state->fulfillable();
            if (f == model::Fulfillable::kYes) continue;
            problems.push_back(
                fmt::format("{} ({}): {}", s.name, s.state->TargetText(), FulfillableText(f)));
        }
        if (!problems.empty()) {
            ++unfulfillable;
            std::string text = fmt::format(
                "storage class {} (in use: {} files, {} directories) "
                "cannot be fulfilled: ",
                name, c.files, c.dirs);
            for (std::size_t k = 0; k < problems.size(); ++k) {
                text += (k ? "; " : "") + problems[k];
            }
            ev.Add("classes.unfulfillable", State::kWarning, std::move(text), 1, name);
        }
        ev.details.push_back(
            fmt::format("class {} (id {}): {} files, {} directories; chunks: "
                        "{} undergoal, {} exact, {} overgoal",
                        name, c.id, c.files, c.dirs, under, exact, over));
        AddClassMetric(ev, name, "undergoal", under);
        AddClassMetric(ev, name, "exact", exact);
        AddClassMetric(ev, name, "overgoal", over);
        if (class_matrices == nullptr) continue;
        for (const auto& cm : *class_matrices) {
            if (cm.class_id != c.id) continue;
            if (!cm.matrices) {
                ev.Add("mfsmon.unreadable", State::kUnknown,
                       fmt::format("the chunk matrix of storage class {} could not be read: {}",
                                   name, cm.matrices.error().message));
            } else {
                EvaluateClassChunks(name, *cm.matrices, ev);
            }
        }
    }
    ev.ok_summary = fmt::format("{} storage classes in use, all fulfillable", in_use);
    ev.details.insert(
        ev.details.begin(),
        fmt::format("{} storage classes, {} in use, {} in use and not fulfillable; "
                    "{} chunkservers connected",
                    classes->classes.size(), in_use, unfulfillable, classes->all_servers));
    ev.perfdata.insert(ev.perfdata.begin(),
                       {Metric("classes_in_use", in_use), Metric("unfulfillable", unfulfillable)});
}

}  // namespace mfsmon::health
