#include "model/chunk_matrix.h"

namespace mfsmon::model {

ChunkClass Classify(int row, int column) {
    if (row == 0) return column == 0 ? ChunkClass::kReadyToRemove : ChunkClass::kPendingDeletion;
    if (column == 0) return ChunkClass::kMissing;
    if (column < row) return column == 1 ? ChunkClass::kEndangered : ChunkClass::kUndergoal;
    if (column == row) return ChunkClass::kStable;
    return ChunkClass::kOvergoal;
}

std::string_view ChunkClassName(ChunkClass c) {
    switch (c) {
        case ChunkClass::kMissing:
            return "missing";
        case ChunkClass::kEndangered:
            return "endangered";
        case ChunkClass::kUndergoal:
            return "undergoal";
        case ChunkClass::kStable:
            return "stable";
        case ChunkClass::kOvergoal:
            return "overgoal";
        case ChunkClass::kPendingDeletion:
            return "pending deletion";
        case ChunkClass::kReadyToRemove:
            return "to be removed";
    }
    return "?";
}

std::string_view ChunkClassKey(ChunkClass c) {
    switch (c) {
        case ChunkClass::kPendingDeletion:
            return "pending_deletion";
        case ChunkClass::kReadyToRemove:
            return "to_be_removed";
        default:
            return ChunkClassName(c);
    }
}

std::uint64_t ClassCounts::Total() const {
    std::uint64_t sum = 0;
    for (auto n : counts) sum += n;
    return sum;
}

std::uint64_t ClassCounts::Deficient() const {
    return (*this)[ChunkClass::kMissing] + (*this)[ChunkClass::kEndangered] +
           (*this)[ChunkClass::kUndergoal];
}

ClassCounts SummarizeRow(const Matrix& m, int row) {
    ClassCounts out;
    for (int c = 0; c < kMatrixSize; ++c) out[Classify(row, c)] += m[row][c];
    return out;
}

ClassCounts Summarize(const Matrix& m) {
    ClassCounts out;
    for (int r = 0; r < kMatrixSize; ++r) {
        for (int c = 0; c < kMatrixSize; ++c) out[Classify(r, c)] += m[r][c];
    }
    return out;
}

std::uint64_t RowTotal(const Matrix& m, int row) {
    std::uint64_t sum = 0;
    for (auto n : m[row]) sum += n;
    return sum;
}

std::string_view ProgressText(std::uint8_t progress) {
    switch (progress & 3) {
        case 1:
            return "counters may not be valid - disconnections in progress";
        case 2:
            return "counters may not be valid - connections in progress";
        case 3:
            return "counters may not be valid - connections and disconnections in progress";
        default:
            return "";
    }
}

}  // namespace mfsmon::model
