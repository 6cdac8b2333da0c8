#include "model/trend_sample_builder.h"

namespace mfsmon::model {

namespace {

template <typename T>
const T* ValueOf(const Part<T>& part) {
    return part && *part ? &part->value() : nullptr;
}

}  // namespace

TrendSample BuildSample(const SampleInputs& in) {
    TrendSample s;
    s.time_ms = in.time_ms;
    s.metadata_id = in.metadata_id;
    if (in.matrices != nullptr) {
        s.matrix_progress = in.matrices->progress;
        const auto& pair = in.matrices->combined;
        for (int row = 0; row < kMatrixSize; ++row) {
            if (RowTotal(pair.all, row) == 0 && RowTotal(pair.regular, row) == 0) continue;
            RowCounts rc;
            rc.row = static_cast<std::uint8_t>(row);
            rc.all = SummarizeRow(pair.all, row);
            rc.regular = SummarizeRow(pair.regular, row);
            s.rows.push_back(rc);
        }
    }
    if (in.class_matrices != nullptr) {
        for (const auto& cm : *in.class_matrices) {
            if (!cm.matrices) continue;
            StorageClassCounts c;
            c.class_id = cm.class_id;
            c.all = Summarize(cm.matrices->combined.all);
            c.regular = Summarize(cm.matrices->combined.regular);
            s.classes.push_back(c);
        }
    }
    if (in.chunk_loop != nullptr && in.chunk_loop->has_data()) {
        s.loop_start = in.chunk_loop->start;
        s.loop_end = in.chunk_loop->end;
    }
    if (in.chunkservers != nullptr) {
        s.servers_known = true;
        for (const auto& cs : *in.chunkservers) {
            ServerSample ss;
            ss.server = ChunkServerName(cs);
            ss.csid = cs.csid;
            ss.connected = cs.connected();
            ss.maintenance = cs.maintenance();
            ss.marked_chunks = cs.td_chunks;
            ss.mfr_status = cs.mfr_status;
            s.servers.push_back(std::move(ss));
        }
    }
    if (in.disks != nullptr && in.chunkservers != nullptr) {
        // Known only when every asked server answered: a silent server's marked disks would
        // otherwise look evacuated.
        bool all_answered = true;
        for (const auto& sd : *in.disks) {
            if (!sd.disks) {
                all_answered = false;
                continue;
            }
            for (const auto& d : sd.disks.value()) {
                if (!d.marked_for_removal()) continue;
                s.marked_disks.push_back({sd.server, d.path, d.chunks});
            }
        }
        s.disks_known = all_answered;
        if (!all_answered) s.marked_disks.clear();
    }
    return s;
}

SampleInputs InputsOf(const ClusterSnapshot& snap, std::int64_t time_ms) {
    SampleInputs in;
    in.time_ms = time_ms;
    in.metadata_id = snap.MetadataId();
    in.matrices = ValueOf(snap.matrices);
    in.chunk_loop = ValueOf(snap.chunk_loop);
    in.chunkservers = ValueOf(snap.chunkservers);
    in.disks = ValueOf(snap.disks);
    in.class_matrices = ValueOf(snap.class_matrices);
    return in;
}

SampleInputs InputsOf(const ReplicaSnapshot& snap, std::int64_t time_ms) {
    SampleInputs in;
    in.time_ms = time_ms;
    in.metadata_id = snap.MetadataId();
    in.matrices = &snap.matrices;
    in.chunk_loop = ValueOf(snap.chunk_loop);
    return in;
}

std::uint64_t AllDeficit(const TrendSample& s, int row) {
    std::uint64_t n = 0;
    for (const auto& r : s.rows) {
        if (r.row == 0) continue;  // deleted files' chunks have no goal to fall below
        if (row < 0 || r.row == row) n += r.all.Deficient();
    }
    return n;
}

std::uint64_t RegularDeficit(const TrendSample& s, int row) {
    std::uint64_t n = 0;
    for (const auto& r : s.rows) {
        if (r.row == 0) continue;
        if (row < 0 || r.row == row) n += r.regular.Deficient();
    }
    return n;
}

std::uint64_t MarkedDependent(const TrendSample& s) {
    const std::uint64_t all = AllDeficit(s), regular = RegularDeficit(s);
    return regular > all ? regular - all : 0;
}

}  // namespace mfsmon::model
