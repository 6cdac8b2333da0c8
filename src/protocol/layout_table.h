// The one table that says which answer layouts mfsmon understands: a (command, master
// version range, answer length) triple selects a layout. Anything not in it is an error that
// names the command, the length and the version: we never guess a layout, because a guessed
// layout is how a monitor ends up saying OK about data it did not read.
//
// Version, not length alone, is the key: a 4.x master can answer CHUNKS_MATRIX in 969 bytes
// like 3.x, but its rows then mean redundancy level + 1, not goal.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/version.h"
#include "protocol/command_ids.h"

namespace mfsmon::protocol {

enum class Layout {
    // MATOCL_INFO
    kInfo121,  // 2.0+: no freespace; ends after meta_version
    kInfo129,  // + exports_checksum
    kInfo137,  // 129 + freespace
    kInfo149,  // 137 + usec_time, last_changelog_time (3.0.117)
    kInfo173,  // 4.4+: copy/EC chunk counts, metadata id, last-store meta, parts
    kInfo181,  // 4.10+: + freespace
    kInfo193,  // 4.17+: + usec_time, last_changelog_time
    kInfo205,  // 4.26+: EC split into EC8 and EC4 (4.59.2)
    // MATOCL_CHUNKS_MATRIX
    kMatrixGoal2,   // progress + all + regular; row = goal (1.7 .. 3.x)
    kMatrixLevel2,  // same bytes on 4.x; row = redundancy level + 1
    kMatrixLevel6,  // 4.x before 4.26: all/regular x {combined, copies, EC}
    kMatrixLevel8,  // 4.26+: all/regular x {combined, copies, EC8, EC4} (4.59.2)
};

struct LayoutRule {
    Command command;
    model::Version from;    // inclusive
    model::Version before;  // exclusive
    std::uint32_t length;   // exact payload length
    Layout layout;
};

std::span<const LayoutRule> LayoutRules();

// The layout for this answer, or a kProtocol error such as
// "unsupported layout: MATOCL_INFO answer of 150 bytes from master 3.0.117 (known: 121, 129,
// 137, 149)".
Result<Layout> FindLayout(Command command, const model::Version& version, std::uint32_t length);

}  // namespace mfsmon::protocol
