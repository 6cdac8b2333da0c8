#include "health/stall_causes.h"

#include <fmt/format.h>

namespace mfsmon::health {

StallCauses StallCausesOf(const model::ClusterSnapshot& snap,
                          std::span<const Evaluation* const> areas) {
    StallCauses out;
    if (snap.chunkservers && *snap.chunkservers) {
        unsigned disconnected = 0, in_maintenance = 0;
        for (const auto& cs : snap.chunkservers->value()) {
            if (cs.connected()) continue;
            ++disconnected;
            if (cs.maintenance()) ++in_maintenance;
        }
        // The master does not replicate what a server in maintenance holds: it is expected
        // back (MooseFS's "maintenance mode").
        if (disconnected > 0 && in_maintenance == disconnected) {
            out.causes.push_back(fmt::format(
                "{} disconnected chunkserver{} in maintenance: the master does not replicate "
                "their chunks until maintenance ends",
                disconnected, disconnected == 1 ? " is" : "s are all"));
        }
    }
    for (const Evaluation* area : areas) {
        if (area == nullptr) continue;
        for (const auto& f : area->findings) {
            if (f.code == "classes.unfulfillable") {
                out.causes.push_back(f.text);
            } else if (f.code.starts_with("space.") && f.severity == State::kCritical) {
                out.causes.push_back(f.text);
            }
        }
    }
    return out;
}

}  // namespace mfsmon::health
