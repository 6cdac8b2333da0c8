// Storage classes as metrics (docs/metrics.md, "Storage classes"): identities as _info, the
// fulfilment of each state as an enum, and the master's per-class chunk counters. The class
// settings (labels, priority, archive rules) are configuration and stay out.
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "render/prometheus_areas.h"

namespace mfsmon::render::prom {

namespace {

std::string_view FulfillableKey(model::Fulfillable f) {
    switch (f) {
        case model::Fulfillable::kNo:
            return "no";
        case model::Fulfillable::kNoSpace:
            return "no_space";
        case model::Fulfillable::kOverloaded:
            return "overloaded";
        case model::Fulfillable::kYes:
            return "yes";
        case model::Fulfillable::kEcOnHold:
            return "ec_on_hold";
        case model::Fulfillable::kUnknown:
            break;
    }
    return "unknown";
}

struct StateRef {
    std::string_view name;
    model::StateKind kind;
    const model::ClassState* state;
    const model::ChunkCounts* counts;  // nullptr: the master sends none for this state
};

void AddCounts(const model::ChunkCounts& k, std::string_view id, std::string_view state,
               bool has_ec, Family& f) {
    const std::array<std::pair<std::string_view, std::uint64_t>, 3> copies = {
        {{"below", k.under_copy}, {"at", k.exact_copy}, {"above", k.over_copy}}};
    const std::array<std::pair<std::string_view, std::uint64_t>, 3> ec = {
        {{"below", k.under_ec}, {"at", k.exact_ec}, {"above", k.over_ec}}};
    for (const auto& [target, n] : copies) {
        f.Add({{"class_id", id}, {"class_state", state}, {"storage", "copies"}, {"target", target}},
              static_cast<double>(n));
    }
    if (!has_ec) return;
    for (const auto& [target, n] : ec) {
        f.Add({{"class_id", id}, {"class_state", state}, {"storage", "ec"}, {"target", target}},
              static_cast<double>(n));
    }
}

}  // namespace

void AddStorageClasses(const model::StorageClasses& classes, bool has_ec, Sink& out) {
    Family info = out.Gauge("mfsmon_storage_class_info", "A storage class: id and name.");
    Family files = out.Gauge("mfsmon_storage_class_files", "Files in the storage class.");
    Family dirs =
        out.Gauge("mfsmon_storage_class_directories", "Directories in the storage class.");
    Family target = out.Gauge("mfsmon_storage_class_target_info",
                              "What a state the class defines asks for (copies or EC level).");
    Family fulfillable =
        out.Gauge("mfsmon_storage_class_fulfillable",
                  "Whether the cluster can fulfil a state of the class now (1 = current answer).");
    Family chunks = out.Gauge("mfsmon_storage_class_chunks",
                              "The class's chunks below, at or above the state's target, as "
                              "copies or EC (the master's counters, regular copies).");
    for (const auto& c : classes.classes) {
        const std::string id = std::to_string(c.id);
        info.Add({{"class_id", id}, {"name", c.name}}, 1);
        files.Add({{"class_id", id}}, c.files);
        dirs.Add({{"class_id", id}}, c.dirs);
        const std::array<StateRef, 4> states = {{
            {"create", model::StateKind::kCreate, &c.create, nullptr},
            {"keep", model::StateKind::kKeep, &c.keep, &c.keep_counts},
            {"archive", model::StateKind::kArchive, &c.archive, &c.archive_counts},
            {"trash", model::StateKind::kTrash, &c.trash, &c.trash_counts},
        }};
        for (const StateRef& s : states) {
            // Counters come with every state the master sends (3.x: no trash), defined or not:
            // an undefined state falls back to keep, and its chunks are still counted.
            if (s.counts != nullptr && s.state->present) {
                AddCounts(*s.counts, id, s.name, has_ec, chunks);
            }
            if (!model::IsDefined(*s.state, s.kind)) continue;
            target.Add(
                {{"class_id", id}, {"class_state", s.name}, {"target", s.state->TargetText()}}, 1);
            fulfillable.AddEnum({{"class_id", id}, {"class_state", s.name}}, "fulfillable",
                                {"yes", "no", "no_space", "overloaded", "ec_on_hold", "unknown"},
                                FulfillableKey(s.state->fulfillable()));
        }
    }
    for (Family* f : {&info, &files, &dirs, &target, &fulfillable, &chunks}) out.Put(std::move(*f));
}

}  // namespace mfsmon::render::prom
