#include "health/classes_rule.h"

#include <optional>
#include <string>
#include <utility>

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

// "; EC 4+n parts: 1 missing, 4 endangered" for the EC matrices that have any.
std::string EcText(const model::ChunkMatrices& m) {
    std::string text;
    const std::pair<const char*, const std::optional<model::MatrixPair>*> forms[] = {
        {"EC 4+n", &m.ec4}, {"EC 8+n", &m.ec8}};
    for (const auto& [label, pair] : forms) {
        if (!*pair) continue;
        const auto c = model::Summarize((*pair)->all);
        if (c[ChunkClass::kMissing] == 0 && c[ChunkClass::kEndangered] == 0) continue;
        text += fmt::format("; {} parts: {} missing, {} endangered", label, c[ChunkClass::kMissing],
                            c[ChunkClass::kEndangered]);
    }
    return text;
}

std::uint64_t EcCount(const model::ChunkMatrices& m, ChunkClass which) {
    std::uint64_t n = 0;
    for (const auto* pair : {&m.ec4, &m.ec8}) {
        if (*pair) n += model::Summarize((*pair)->all)[which];
    }
    return n;
}

// The class's own chunk matrix (4.44+): its missing and endangered chunks by name. Rated on
// the all-copies matrix, as `replicas.*` is.
void EvaluateClassChunks(const std::string& name, const model::ChunkMatrices& m, Evaluation& ev) {
    const auto counts = model::Summarize(m.combined.all);
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
        if (const auto ec = EcCount(m, a.which); ec > 0) {
            text += fmt::format(" ({} of them EC)", ec);
        }
        ev.Add(a.code, State::kCritical, std::move(text), n, name);
    }
    ev.details.push_back(fmt::format(
        "class {}: chunk matrix: {} missing, {} endangered, {} undergoal, {} stable, {} "
        "overgoal{}",
        name, counts[ChunkClass::kMissing], counts[ChunkClass::kEndangered],
        counts[ChunkClass::kUndergoal], counts[ChunkClass::kStable], counts[ChunkClass::kOvergoal],
        EcText(m)));
    for (auto [suffix, which] : {std::pair{"missing", ChunkClass::kMissing},
                                 std::pair{"endangered", ChunkClass::kEndangered}}) {
        Perfdatum p =
            Metric(fmt::format("class_{}_{}", name, suffix), static_cast<double>(counts[which]));
        p.droppable = true;
        ev.perfdata.push_back(std::move(p));
    }
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
        for (auto [suffix, value] : {std::pair{"undergoal", under}, std::pair{"exact", exact},
                                     std::pair{"overgoal", over}}) {
            Perfdatum p =
                Metric(fmt::format("class_{}_{}", name, suffix), static_cast<double>(value));
            p.droppable = true;
            ev.perfdata.push_back(std::move(p));
        }
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
