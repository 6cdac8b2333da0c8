// Collection: which requests go to whom, in what order, and what becomes of each answer.
//
//   master:  INFO + the requests whose form every supported version accepts (MATRIX,
//            MLOG_LIST, CHUNKSTEST_INFO), in one write; then, once INFO has told the version,
//            the version-dependent ones (CSERV_LIST, SCLASS_INFO, FSTEST_INFO, MISSING_CHUNKS,
//            and MODULE_INFO for the metadata id of a master before 4.4) in a second write;
//            then, in a third, MASS_RESOLVE_PATHS for the first missing
//            files and one CHUNKS_MATRIX per storage class in use (4.44+).
//   chunkservers: CLTOCS_HDD_LIST to every connected server, concurrently, each with its own
//            deadline inside the run's (transport/multi_exchange.h).
//
// A master that cannot be reached, or whose INFO answer is not understood, is the error of
// the whole collection (the check is UNKNOWN). Every other part is a value or an error of
// its own, so one bad answer or one silent chunkserver never costs the rest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "collect/connection_pool.h"
#include "collect/parts.h"
#include "common/result.h"
#include "model/cluster_snapshot.h"
#include "transport/deadline.h"

namespace mfsmon::collect {

struct CollectRequest {
    std::string host;
    std::uint16_t port = 9421;
    PartSet parts;
    // Each chunkserver's disk query gets this long (never past the run's deadline).
    std::chrono::milliseconds per_chunkserver{5000};
    std::size_t max_open_chunkservers = 64;
    // Missing files are resolved to paths for this many distinct inodes.
    std::size_t resolve_paths = 10;
    // A long-running collector (the exporter) keeps connections here between collections;
    // nullptr (a check): every connection is opened for this collection and closed after it.
    ConnectionPool* pool = nullptr;
};

Result<model::ClusterSnapshot> Collect(const CollectRequest& request,
                                       const transport::Deadline& deadline);

}  // namespace mfsmon::collect
