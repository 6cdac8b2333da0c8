// The master's list of missing chunks (MATOCL_MISSING_CHUNKS) and the paths of their files
// (MATOCL_MASS_RESOLVE_PATHS). The list is gathered by the previous complete pass of the
// filesystem check loop, so it lags the chunk matrix by up to an hour or more: it says which
// files were hit, the matrix says how many chunks are missing now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfsmon::model {

enum class MissingType {
    kNoCopy,         // 0: no copy at all
    kInvalidCopies,  // 1: only invalid copies
    kWrongVersions,  // 2: only copies of a wrong version
    kPartialEc,      // 3 (4.x): too few EC parts to read it
    kOther,          // any other value, and answers without a type (16-byte entries)
};

struct MissingChunk {
    std::uint64_t chunk_id = 0;  // mfscli prints it as %016X
    std::uint32_t inode = 0;
    std::uint32_t index = 0;  // the chunk's position in its file
    // Absent when the answer carried no type (empty request: 16-byte entries).
    std::optional<std::uint8_t> type_raw;

    // Unknown values are kOther, as mfscli shows them; so is an absent type, which says
    // nothing about why the chunk is missing (check type_raw to tell the two apart).
    MissingType type() const {
        if (!type_raw) return MissingType::kOther;
        switch (*type_raw) {
            case 0:
                return MissingType::kNoCopy;
            case 1:
                return MissingType::kInvalidCopies;
            case 2:
                return MissingType::kWrongVersions;
            case 3:
                return MissingType::kPartialEc;
            default:
                return MissingType::kOther;
        }
    }
};

// mfscli's words for the type column.
inline std::string_view MissingTypeText(MissingType type) {
    switch (type) {
        case MissingType::kNoCopy:
            return "NO COPY";
        case MissingType::kInvalidCopies:
            return "INVALID COPIES";
        case MissingType::kWrongVersions:
            return "WRONG VERSIONS";
        case MissingType::kPartialEc:
            return "PARTIAL EC";
        case MissingType::kOther:
            return "OTHER";
    }
    return "OTHER";
}

// One record of MATOCL_MASS_RESOLVE_PATHS: the paths of one inode (several for hard links).
// No paths means the master sent an empty record: the file is only in trash or sustained
// (mfscli shows "./META"). An inode the master sent no record for is a different case again
// (mfscli: "* unknown path * (deleted file)").
struct InodePaths {
    std::uint32_t inode = 0;
    // As sent, relative to the filesystem root. Not checked for UTF-8; may hold any byte,
    // NUL and control characters included: escape before printing.
    std::vector<std::string> paths;
};

}  // namespace mfsmon::model
