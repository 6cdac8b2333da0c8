#include "health/cluster_health.h"

#include <algorithm>
#include <string>
#include <utility>

#include "health/assemble.h"
#include "health/chunkservers_rule.h"
#include "health/classes_rule.h"
#include "health/disks_rule.h"
#include "health/files_rule.h"
#include "health/master_rule.h"
#include "health/space_rule.h"
#include "health/stall_causes.h"
#include "model/replica_snapshot.h"

namespace mfsmon::health {

namespace {

// The replica rule reads the matrices as `check replicas` does; here it is one area among
// the others.
Evaluation ReplicasArea(const model::ClusterSnapshot& snap, const ReplicasThresholds& t,
                        const RecoveryTrends& trends, const StallCauses& causes) {
    Evaluation ev;
    const auto* matrices = NeedPart(snap.matrices, "the chunk matrix (CHUNKS_MATRIX)", ev);
    if (matrices == nullptr) return ev;
    model::ReplicaSnapshot rs;
    rs.master_host = snap.master_host;
    rs.master_port = snap.master_port;
    rs.info = snap.info;
    rs.matrices = *matrices;
    Report r = EvaluateReplicas(rs, t, trends.enabled ? &trends : nullptr, causes);
    ev.findings = std::move(r.findings);
    ev.perfdata = std::move(r.perfdata);
    ev.details = std::move(r.details);
    ev.ok_summary = r.summary;
    return ev;
}

// One check for thousands of servers: of an area whose long output lists every server, disk
// or class, keep the first `lines` (the area's totals; the rest stays in the area's own
// check) and the perfdata that is no per-server detail (not droppable).
Evaluation Totals(Evaluation area, std::size_t lines) {
    area.details.resize(std::min(area.details.size(), lines));
    std::erase_if(area.perfdata, [](const Perfdatum& p) { return p.droppable; });
    return area;
}

}  // namespace

Evaluation EvaluateClusterHealth(const model::ClusterSnapshot& snap,
                                 const ClusterHealthRules& rules, const RecoveryTrends& trends) {
    Evaluation files, cs, disks, space, master, classes;
    EvaluateFiles(snap, rules.max_paths, files);
    EvaluateChunkservers(snap, ChunkserverRules::Defaults(), cs);
    EvaluateDisks(snap, DiskRules::Defaults(), disks);
    EvaluateSpace(snap, SpaceRules::Defaults(), space);
    EvaluateMaster(snap, MasterRules::Defaults(), master);
    EvaluateClasses(snap, classes);
    // What the other areas found may be why recovery stalls.
    const Evaluation* areas[] = {&cs, &space, &classes};
    const StallCauses causes = StallCausesOf(snap, areas);
    // Perfdata labels are prefixed by area: "used" means different things in each.
    Evaluation ev;
    Append(ev, ReplicasArea(snap, rules.replicas, trends, causes), "replicas");
    Append(ev, std::move(files), "files");
    Append(ev, Totals(std::move(cs), 1), "chunkservers");
    Append(ev, Totals(std::move(disks), 2), "disks");
    Append(ev, std::move(space), "space");
    Append(ev, std::move(master), "master");
    Append(ev, Totals(std::move(classes), 1), "classes");
    ev.ok_summary = "no problems found";
    return ev;
}

Report ClusterHealthReport(const model::ClusterSnapshot& snapshot, const RecoveryTrends& trends,
                           const ClusterHealthRules& rules) {
    Evaluation ev = EvaluateClusterHealth(snapshot, rules, trends);
    std::string ok = std::move(ev.ok_summary);
    return Assemble(std::move(ev), {}, std::move(ok));
}

}  // namespace mfsmon::health
