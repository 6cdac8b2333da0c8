// The master's filesystem check loop (MATOCL_FSTEST_INFO): totals of its last complete pass.
// A pass takes about an hour whatever the filesystem's size and pauses after chunkserver
// disconnections, so these numbers are "as of loop_end", never live.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mfsmon::model {

struct FsCheckInfo {
    // loop_start 0 = no complete pass yet: mfscli prints "no data" (4.x JSON: fs_loop null)
    // even though loop_end is often set (the end of a first, partial pass).
    std::uint32_t loop_start = 0;
    std::uint32_t loop_end = 0;
    std::uint32_t files = 0;
    std::uint32_t undergoal_files = 0;
    std::uint32_t missing_files = 0;
    // Sent only for the "pver 1" request (byte 00); the empty request's answer has neither.
    std::optional<std::uint32_t> missing_trash_files;
    std::optional<std::uint32_t> missing_sustained_files;
    std::uint32_t chunks = 0;
    std::uint32_t undergoal_chunks = 0;
    std::uint32_t missing_chunks = 0;
    // The loop's report lines as the master sent them (not checked for UTF-8; at most 100000
    // bytes from the master, which mfscli calls "first 100k"). Untrusted text: escape control
    // characters before printing it.
    std::string message;

    bool has_data() const { return loop_start != 0; }
};

}  // namespace mfsmon::model
