// The master's chunk matrices and mfscli's classification of their cells.
//
// A matrix is 11 x 11 chunk counts: row = the chunk's target (3.x: goal; 4.x: redundancy
// level + 1), column = what it has now (valid copies; 4.x EC: parts beyond what is needed,
// + 1). Index 10 means 10 or more. The classes are exactly mfscli's, so our totals can be
// compared with its "chunkclass" lines.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mfsmon::model {

inline constexpr int kMatrixSize = 11;
using Matrix = std::array<std::array<std::uint32_t, kMatrixSize>, kMatrixSize>;

enum class ChunkClass {
    kMissing,          // target > 0, nothing readable: data lost
    kEndangered,       // one copy (4.x: one level) left below target
    kUndergoal,        // below target, more than one left
    kStable,           // at target
    kOvergoal,         // above target
    kPendingDeletion,  // target 0 (deleted file), still has copies
    kReadyToRemove,    // target 0, no copies
};
inline constexpr int kChunkClassCount = 7;

ChunkClass Classify(int row, int column);

// mfscli's names: "missing", ..., "pending deletion", "to be removed".
std::string_view ChunkClassName(ChunkClass c);
// Names fit for metrics and JSON keys: "missing", ..., "pending_deletion", "to_be_removed".
std::string_view ChunkClassKey(ChunkClass c);

struct ClassCounts {
    std::array<std::uint64_t, kChunkClassCount> counts{};

    std::uint64_t& operator[](ChunkClass c) { return counts[static_cast<int>(c)]; }
    std::uint64_t operator[](ChunkClass c) const { return counts[static_cast<int>(c)]; }
    std::uint64_t Total() const;
    // missing + endangered + undergoal: chunks below their target.
    std::uint64_t Deficient() const;

    bool operator==(const ClassCounts&) const = default;
};

ClassCounts SummarizeRow(const Matrix& m, int row);
ClassCounts Summarize(const Matrix& m);
std::uint64_t RowTotal(const Matrix& m, int row);

// What the row index means, which decides how rows are labelled.
enum class RowMeaning {
    kGoal,             // 3.x: row = goal (copies)
    kRedundancyLevel,  // 4.x: row = redundancy level + 1
};

struct MatrixPair {
    Matrix all{};      // copies on every disk, including those marked for removal
    Matrix regular{};  // copies on disks not marked for removal
};

struct ChunkMatrices {
    std::uint8_t progress = 0;  // bit0 disconnections, bit1 connections being processed
    RowMeaning rows = RowMeaning::kGoal;
    MatrixPair combined;               // every storage mode; what health is rated on
    std::optional<MatrixPair> copies;  // 4.x split by storage mode
    std::optional<MatrixPair> ec8;     // before 4.26: the only EC form
    std::optional<MatrixPair> ec4;
};

// mfscli's wording of the progress byte, or empty when 0.
std::string_view ProgressText(std::uint8_t progress);

}  // namespace mfsmon::model
