// The one table that says which requests mfsmon sends and which answer layouts it
// understands. A rule is (command, version range, request form) -> how the answer is sized
// and which layout it has. Anything not in it is an error that names the command, the length
// and the version: we never guess a layout, because a guessed layout is how a monitor ends up
// saying OK about data it did not read.
//
// Version, not length alone, is the key: a 4.x master can answer CHUNKS_MATRIX in 969 bytes
// like 3.x, but its rows then mean redundancy level + 1, not goal. And the request form is
// part of the key: 4.x CSERV_LIST entries are 73 bytes for an empty request and 77 for mode
// 1, and 5621 bytes divide by both, so the entry size comes from what we asked, never from
// divisibility.
//
// The master closes the connection on a request form it does not accept (3.0.117 closes on
// SCLASS_INFO with a version byte, which 4.59.2 needs), so the form is chosen from the version
// first: ChooseRequest picks the first rule of the table (in table order) that covers the
// version.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

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
    // MATOCL_CSERV_LIST: N entries
    kCservList69,  // 3.0.38 .. 4.25 (3.0.117): one ip, mfrstatus last
    kCservList73,  // 4.26+, empty request: + original ip
    kCservList77,  // 4.35+, mode 1: + maintenance timeout (4.59.2)
    // CSTOCL_HDD_LIST: self-sized entries (entrysize:16 in each); version = the chunkserver's
    kHddList,
    // MATOCL_MLOG_LIST: N x 8
    kMlogList,
    // MATOCL_CHUNKSTEST_INFO
    kChunksTest52,  // 2.x/3.x: loop times + 11 counters (no wrong-labels pair)
    kChunksTest60,  // + locked_unused, locked_used
    kChunksTest72,  // 3.0.117: 18 counters
    kChunksTest96,  // 4.4+: 24 counters (4.59.2)
    // MATOCL_FSTEST_INFO: a fixed head, then msgleng bytes of text
    kFsTest36,  // empty request: no missing trash/sustained counts
    kFsTest44,  // request 00: + missing trash files, missing sustained files
    // MATOCL_SCLASS_INFO: allservers:16, then self-sized class records
    kSclass3,    // 3.0.75 .. 3.x, empty request
    kSclass4v5,  // 4.57+, request fver 5 (4.59.2)
    // MATOCL_MISSING_CHUNKS: N entries
    kMissingChunks16,  // empty request: chunkid inode index
    kMissingChunks17,  // mode 1: + type
    // MATOCL_MASS_RESOLVE_PATHS: self-sized records
    kMassResolvePaths,
    // ANTOCL_MODULE_INFO: module type, version, metadata id (the 3.x way to the id)
    kModuleInfo21,
};

// What a request carries, besides its type. Part of the table's key (see above).
enum class RequestForm {
    kEmpty,      // no payload
    kMode1,      // one byte 01 (CSERV_LIST mode 1, MISSING_CHUNKS mode 1)
    kPver1,      // one byte 00 (FSTEST_INFO "pver 1")
    kFver5,      // one byte 05 (SCLASS_INFO format version 5)
    kInodeList,  // inode:32 per inode (MASS_RESOLVE_PATHS); the caller fills it
    kClassId,    // 00 + class id:8 (CHUNKS_MATRIX of one storage class, 4.44+)
};

// How the answer's length relates to the rule's `length`.
enum class Sizing {
    kExact,    // payload length == length
    kEntries,  // N * length, N >= 0
    kHead,     // at least length: a fixed head, then a variable part the head sizes
    kRecords,  // self-sized records; the decoder checks that they tile the payload
};

struct LayoutRule {
    Command command;
    model::Version from;    // inclusive
    model::Version before;  // exclusive
    RequestForm request;
    Sizing sizing;
    std::uint32_t length;  // exact length, entry size or head size; 0 for kRecords
    Layout layout;
};

std::span<const LayoutRule> LayoutRules();

// The request payload for a form (empty for kEmpty and kInodeList).
std::vector<std::uint8_t> RequestPayload(RequestForm form);

// The payload of a kClassId request: a zero byte (reserved by the master for a packet
// version), then the storage class id.
std::vector<std::uint8_t> ClassMatrixPayload(std::uint8_t class_id);

// Whether some rule covers `version` with this request form, i.e. whether a master of that
// version accepts the form (3.0.117 closes the connection on a CHUNKS_MATRIX with a class id).
bool AcceptsForm(Command command, const model::Version& version, RequestForm form);

// The request form to send to a server of `version`: the first rule in table order that
// covers it. A kProtocol error names the command and the version when none does.
Result<RequestForm> ChooseRequest(Command command, const model::Version& version);

// The layout for this answer, or a kProtocol error such as
// "unsupported layout: MATOCL_INFO answer of 150 bytes from master 3.0.117 (known: 121, 129,
// 137, 149)".
Result<Layout> FindLayout(Command command, const model::Version& version, RequestForm request,
                          std::uint32_t length);
// The same for the commands whose request is empty.
Result<Layout> FindLayout(Command command, const model::Version& version, std::uint32_t length);

}  // namespace mfsmon::protocol
