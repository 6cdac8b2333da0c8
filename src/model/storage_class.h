// Storage classes as the master reports them in MATOCL_SCLASS_INFO (mfscli -SSC): the class
// definitions, whether the cluster can fulfil each state of a class right now, and how many of
// the class's chunks are below, at or above their target.
//
// One shape for 3.x and 4.x, so that the health rules never branch on the version:
// * 3.x has the states CREATE, KEEP and ARCHIVE (no TRASH), copies only (ec_level 0), no
//   uniqmask and no per-state labels mode; its standard-chunk counters are the KEEP copy
//   counters here and its archived-chunk counters the ARCHIVE copy counters.
// * 4.x has all four states, EC as well as copies, and a few more class settings.
// Everything is kept as the master sent it (raw bytes, raw enum values); the helpers below
// only interpret it the way mfscli does.
//
// Header-only: the model library's sources are listed in src/CMakeLists.txt, which this part
// of the project does not own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mfsmon::model {

// Whether the master can place a state's copies or parts on the servers it has now.
// Wire values 0..4 (4 exists on 4.x only); anything else is kUnknown, and the raw byte is
// kept beside it so that an unknown value can still be shown.
enum class Fulfillable { kNo, kNoSpace, kOverloaded, kYes, kEcOnHold, kUnknown };

inline Fulfillable FulfillableFromWire(std::uint8_t raw) {
    return raw <= 4 ? static_cast<Fulfillable>(raw) : Fulfillable::kUnknown;
}

// mfscli's words ("YES", "NO SPACE", ...). mfscli prints any other value as "NO"; we say
// "UNKNOWN" instead, because a monitor must not turn a value it does not know into a verdict.
inline std::string_view FulfillableName(Fulfillable f) {
    switch (f) {
        case Fulfillable::kNo:
            return "NO";
        case Fulfillable::kNoSpace:
            return "NO SPACE";
        case Fulfillable::kOverloaded:
            return "OVERLOADED";
        case Fulfillable::kYes:
            return "YES";
        case Fulfillable::kEcOnHold:
            return "EC ON HOLD";
        case Fulfillable::kUnknown:
            break;
    }
    return "UNKNOWN";
}

// The labels mode of a state that has none of its own: the class's labels_mode applies.
inline constexpr std::uint8_t kLabelsModeClassDefault = 0xFF;

// Sizes of a label's expression on the wire.
inline constexpr std::size_t kLabelMasksBytes3 = 16;      // 3.x: 4 x labelmask:32
inline constexpr std::size_t kLabelExprBytes4 = 128;      // 4.x: postfix expression
inline constexpr std::uint8_t kLabelExprAnyToken = 0xFF;  // 4.x postfix token '*'

// One label of a state: which servers one copy (or part) may go to.
struct ClassLabel {
    // Raw, as sent: 3.x four big-endian 32-bit label masks (16 bytes); 4.x a postfix label
    // expression (128 bytes, zero-terminated).
    std::vector<std::uint8_t> expression;
    std::uint16_t matching_servers = 0;  // connected servers that match the expression

    // '*' in mfscli: an all-zero expression, or (4.x) the postfix expression that is the
    // single token '*' (0xFF). 4.59.2 sends both: classes 1CP and 4CP of the recordings carry
    // the 0xFF form, the others all zeros.
    bool any_server() const {
        const auto zero = [](std::uint8_t b) { return b == 0; };
        if (std::all_of(expression.begin(), expression.end(), zero)) return true;
        return expression.size() == kLabelExprBytes4 && expression.front() == kLabelExprAnyToken &&
               std::all_of(expression.begin() + 1, expression.end(), zero);
    }
};

// One state of a class (CREATE, KEEP, ARCHIVE, TRASH).
struct ClassState {
    bool present = false;  // sent by the master: false only for TRASH on 3.x
    std::uint8_t can_be_fulfilled_raw = 0;
    std::uint8_t labels_count = 0;  // == labels.size(); as sent
    // 0 = copies (one per label); otherwise EC: high nibble data parts, low nibble checksum
    // parts (0x41 = EC 4+1, 0x81 = EC 8+1). Always 0 on 3.x.
    std::uint8_t ec_level = 0;
    // 4.x: 0 LOOSE, 1 STD, 2 STRICT, kLabelsModeClassDefault = the class's. 3.x: always
    // kLabelsModeClassDefault.
    std::uint8_t labels_mode = kLabelsModeClassDefault;
    std::uint32_t uniqmask = 0;  // 4.x distribution mask; 0 = random (3.x: always 0)
    std::vector<ClassLabel> labels;

    Fulfillable fulfillable() const { return FulfillableFromWire(can_be_fulfilled_raw); }
    bool is_ec() const { return ec_level != 0; }
    // mfscli reads a data nibble of 0 as 8 (a form older 4.x masters used for EC 8).
    int ec_data_parts() const {
        if (!is_ec()) return 0;
        const int data = ec_level >> 4;
        return data == 0 ? 8 : data;
    }
    int ec_checksum_parts() const { return is_ec() ? (ec_level & 0x0F) : 0; }

    // "1 copy", "3 copies", "EC 4+1".
    std::string TargetText() const {
        if (is_ec()) {
            return "EC " + std::to_string(ec_data_parts()) + "+" +
                   std::to_string(ec_checksum_parts());
        }
        return std::to_string(labels_count) + (labels_count == 1 ? " copy" : " copies");
    }
};

// Chunks of a class in one state, counted from the regular copies (disks marked for removal
// left out): below, at or above the state's target, as copies or as EC parts.
// Whether a class really defines a state, as mfscli shows it: CREATE only with labels, KEEP
// always, ARCHIVE and TRASH with labels or an EC level. The master sends every state (3.x: no
// TRASH); an undefined one falls back to KEEP.
enum class StateKind { kCreate, kKeep, kArchive, kTrash };
inline bool IsDefined(const ClassState& s, StateKind kind) {
    if (!s.present) return false;
    switch (kind) {
        case StateKind::kKeep:
            return true;
        case StateKind::kCreate:
            return s.labels_count > 0;
        case StateKind::kArchive:
        case StateKind::kTrash:
            return s.labels_count > 0 || s.ec_level > 0;
    }
    return false;
}

struct ChunkCounts {
    std::uint64_t under_copy = 0;
    std::uint64_t under_ec = 0;
    std::uint64_t exact_copy = 0;
    std::uint64_t exact_ec = 0;
    std::uint64_t over_copy = 0;
    std::uint64_t over_ec = 0;
};

struct StorageClass {
    std::uint8_t id = 0;
    std::string name;         // raw bytes as sent (not checked for UTF-8 or control chars)
    std::string description;  // 4.x only; raw bytes as sent
    std::uint32_t files = 0;
    std::uint32_t dirs = 0;
    bool admin_only = false;
    // The class's labels mode: 0 LOOSE, 1 STD, 2 STRICT. On 3.x this is the `mode` byte,
    // which is the same setting (mfscli 4.x reads it as labels_mode from a 3.x master).
    std::uint8_t labels_mode = 0;

    ClassState create;
    ClassState keep;
    ClassState archive;
    ClassState trash;  // not present on 3.x

    ChunkCounts keep_counts;     // 3.x: the standard-chunk counters (copy fields only)
    ChunkCounts archive_counts;  // 3.x: the archived-chunk counters (copy fields only)
    ChunkCounts trash_counts;    // 4.x only

    // 4.x only (0 from a 3.x master).
    std::uint32_t priority = 0;
    std::uint8_t export_group = 0;
    std::uint8_t arch_mode = 0;  // bits: 1 CTIME, 2 MTIME, 4 ATIME, 8 REVERSIBLE, 16 FAST, 32 CHUNK
    std::uint16_t arch_delay_hours = 0;
    std::uint64_t arch_min_size = 0;  // bytes
    std::uint16_t min_trash_retention_hours = 0;

    // 3.x only (0 from a 4.x master).
    std::uint8_t mode = 0;         // as sent; also copied to labels_mode
    std::uint16_t arch_delay = 0;  // days (mfscli 3.0.117 prints it as "<n>d"); 0 = no archive

    bool in_use() const { return files > 0 || dirs > 0; }
};

struct StorageClasses {
    std::uint16_t all_servers = 0;      // connected chunkservers (mfscli: "available servers")
    std::vector<StorageClass> classes;  // in the order the master sent them
};

}  // namespace mfsmon::model
