// Chunk counts as metrics: the master's matrices (combined, per storage mode, per class), the
// chunk loop and filesystem check loop, and the missing-chunks list (docs/metrics.md).
#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "render/prometheus_areas.h"

namespace mfsmon::render::prom {

namespace {

using model::ChunkClass;
using model::Matrix;

constexpr std::array<std::pair<std::string_view, const Matrix model::MatrixPair::*>, 2> kMatrices =
    {{{"all", &model::MatrixPair::all}, {"regular", &model::MatrixPair::regular}}};

// The rows to emit for a pair: every row with a chunk in either matrix, so that both matrices
// have the same rows (regular - all works) and a healthy non-empty cluster still has its
// missing/endangered/undergoal series at 0.
std::array<bool, model::kMatrixSize> RowsInUse(const model::MatrixPair& pair) {
    std::array<bool, model::kMatrixSize> rows{};
    for (int r = 0; r < model::kMatrixSize; ++r) {
        rows[r] = model::RowTotal(pair.all, r) > 0 || model::RowTotal(pair.regular, r) > 0;
    }
    return rows;
}

// All 7 classes of every row in use, for both matrices. `storage` empty: the combined
// matrices (mfsmon_chunks); otherwise one storage mode (mfsmon_chunks_by_storage).
void AddRowClasses(const model::MatrixPair& pair, std::string_view storage, Family& f) {
    const auto rows = RowsInUse(pair);
    for (const auto& [matrix, member] : kMatrices) {
        for (int r = 0; r < model::kMatrixSize; ++r) {
            if (!rows[r]) continue;
            const model::ClassCounts counts = model::SummarizeRow(pair.*member, r);
            for (int c = 0; c < model::kChunkClassCount; ++c) {
                const auto cls = static_cast<ChunkClass>(c);
                const auto value = static_cast<double>(counts[cls]);
                if (storage.empty()) {
                    f.Add({{"matrix", matrix},
                           {"goal", IndexLabel(r)},
                           {"state", model::ChunkClassKey(cls)}},
                          value);
                } else {
                    f.Add({{"matrix", matrix},
                           {"storage", storage},
                           {"goal", IndexLabel(r)},
                           {"state", model::ChunkClassKey(cls)}},
                          value);
                }
            }
        }
    }
}

}  // namespace

void AddMatrices(const model::ChunkMatrices& m, Sink& out) {
    out.Single("mfsmon_chunk_matrix_counters_valid",
               "0 while the master is still processing chunkserver (dis)connections and its "
               "chunk counts are in flux, else 1.",
               m.progress == 0 ? 1 : 0);

    Family chunks = out.Gauge(
        "mfsmon_chunks",
        "Chunks by matrix (all copies / regular: without disks marked for removal), matrix row "
        "(3.x goal, 4.x redundancy level + 1) and class, as mfscli classifies them.");
    AddRowClasses(m.combined, "", chunks);
    out.Put(std::move(chunks));

    Family by_storage = out.Gauge(
        "mfsmon_chunks_by_storage",
        "4.x: chunks by matrix, storage mode, row and class; never add to mfsmon_chunks.");
    if (m.copies) AddRowClasses(*m.copies, "copies", by_storage);
    if (m.ec4) AddRowClasses(*m.ec4, "ec4", by_storage);
    if (m.ec8) AddRowClasses(*m.ec8, "ec8", by_storage);
    out.Put(std::move(by_storage));

    Family cells = out.Gauge("mfsmon_chunk_matrix_cells",
                             "Non-zero cells of the chunk matrices: chunks by row (goal) and "
                             "column (valid copies; 10 = 10 or more).");
    for (const auto& [matrix, member] : kMatrices) {
        const Matrix& mx = m.combined.*member;
        for (int r = 0; r < model::kMatrixSize; ++r) {
            for (int c = 0; c < model::kMatrixSize; ++c) {
                if (mx[r][c] == 0) continue;
                cells.Add({{"matrix", matrix}, {"goal", IndexLabel(r)}, {"copies", IndexLabel(c)}},
                          mx[r][c]);
            }
        }
    }
    out.Put(std::move(cells));
}

void AddClassMatrices(const std::vector<model::ClassMatrices>& classes, Sink& out) {
    Family success = out.Gauge("mfsmon_storage_class_matrix_success",
                               "1 when the storage class's chunk matrices were read, else 0.");
    Family chunks =
        out.Gauge("mfsmon_storage_class_matrix_chunks",
                  "Chunks of one storage class by matrix and class (summed over rows).");
    for (const auto& cm : classes) {
        const std::string id = std::to_string(cm.class_id);
        success.Add({{"class_id", id}}, cm.matrices ? 1 : 0);
        if (!cm.matrices) continue;
        for (const auto& [matrix, member] : kMatrices) {
            const model::ClassCounts counts = model::Summarize(cm.matrices->combined.*member);
            for (int c = 0; c < model::kChunkClassCount; ++c) {
                const auto cls = static_cast<ChunkClass>(c);
                chunks.Add(
                    {{"class_id", id}, {"matrix", matrix}, {"state", model::ChunkClassKey(cls)}},
                    static_cast<double>(counts[cls]));
            }
        }
    }
    out.Put(std::move(success));
    out.Put(std::move(chunks));
}

void AddChunkLoop(const model::ChunkLoopInfo& loop, Sink& out) {
    // Before the first complete pass the master's end time and counters are those of a pass
    // in progress (mfscli: "no data"): nothing to show.
    if (!loop.has_data()) return;
    out.Single("mfsmon_chunk_loop_start_timestamp_seconds",
               "Start of the chunk loop's last complete pass.", loop.start);
    out.Single("mfsmon_chunk_loop_end_timestamp_seconds",
               "End of the chunk loop's last complete pass.", loop.end);
    Family ops = out.Gauge("mfsmon_chunk_loop_operations",
                           "What the chunk loop's last complete pass did, by operation.");
    for (const auto& c : loop.counters) ops.Add({{"operation", c.key}}, c.value);
    out.Put(std::move(ops));
}

void AddFsCheck(const model::FsCheckInfo& fs, Sink& out) {
    if (!fs.has_data()) return;
    out.Single("mfsmon_fs_check_start_timestamp_seconds",
               "Start of the filesystem check loop's last complete pass.", fs.loop_start);
    out.Single("mfsmon_fs_check_end_timestamp_seconds",
               "End of the filesystem check loop's last complete pass.", fs.loop_end);
    Family files = out.Gauge("mfsmon_fs_check_files",
                             "Files of the filesystem check loop's last pass: all checked, "
                             "undergoal, missing (do not sum over state).");
    files.Add({{"state", "all"}}, fs.files);
    files.Add({{"state", "undergoal"}}, fs.undergoal_files);
    files.Add({{"state", "missing"}}, fs.missing_files);
    if (fs.missing_trash_files) files.Add({{"state", "missing_trash"}}, *fs.missing_trash_files);
    if (fs.missing_sustained_files) {
        files.Add({{"state", "missing_sustained"}}, *fs.missing_sustained_files);
    }
    out.Put(std::move(files));
    Family chunks = out.Gauge("mfsmon_fs_check_chunks",
                              "Chunks of the filesystem check loop's last pass: all checked, "
                              "undergoal, missing (do not sum over state).");
    chunks.Add({{"state", "all"}}, fs.chunks);
    chunks.Add({{"state", "undergoal"}}, fs.undergoal_chunks);
    chunks.Add({{"state", "missing"}}, fs.missing_chunks);
    out.Put(std::move(chunks));
}

void AddMissingFiles(const model::MissingFiles& files, Sink& out) {
    using model::MissingType;
    constexpr std::array<std::pair<MissingType, std::string_view>, 5> kTypes = {{
        {MissingType::kNoCopy, "no_copy"},
        {MissingType::kInvalidCopies, "invalid_copies"},
        {MissingType::kWrongVersions, "wrong_versions"},
        {MissingType::kPartialEc, "partial_ec"},
        {MissingType::kOther, "other"},
    }};
    std::array<std::uint64_t, kTypes.size()> counts{};
    std::vector<std::uint32_t> inodes;
    inodes.reserve(files.chunks.size());
    for (const auto& c : files.chunks) {
        for (std::size_t t = 0; t < kTypes.size(); ++t) {
            if (kTypes[t].first == c.type()) ++counts[t];
        }
        inodes.push_back(c.inode);
    }
    Family entries = out.Gauge("mfsmon_missing_chunk_list_entries",
                               "Entries of the master's missing-chunks list (as of the last "
                               "filesystem check loop) by type.");
    for (std::size_t t = 0; t < kTypes.size(); ++t) {
        entries.Add({{"type", kTypes[t].second}}, static_cast<double>(counts[t]));
    }
    out.Put(std::move(entries));
    std::sort(inodes.begin(), inodes.end());
    const auto distinct = std::unique(inodes.begin(), inodes.end()) - inodes.begin();
    out.Single("mfsmon_missing_chunk_list_files",
               "Files (inodes) in the master's missing-chunks list.",
               static_cast<double>(distinct));
}

}  // namespace mfsmon::render::prom
