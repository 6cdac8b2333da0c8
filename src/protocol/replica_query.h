// Asks a master for what `check replicas` needs: CLTOMA_INFO (the version, which decides
// every later layout) and CLTOMA_CHUNKS_MATRIX, both on one admin connection. The two
// requests are pipelined in a single write: the empty matrix request is valid for every
// master version we support (>= 2.0), and the INFO answer, read first, still gates how the
// matrix is decoded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "model/replica_snapshot.h"
#include "transport/deadline.h"

namespace mfsmon::protocol {

struct ReplicaQuery {
    std::string host;
    std::uint16_t port = 9421;
    // While the master's progress byte says "counters may not be valid", ask again every
    // 200 ms for up to this long (and never past 3/4 of the run's deadline). 0 = answer at
    // once with the flag shown.
    std::chrono::milliseconds settle{0};
    // For the history (trend, rate, ETA): also CLTOMA_CHUNKSTEST_INFO in the first write (the
    // chunk loop's timing) and, of a master before 4.4, CLTOAN_MODULE_INFO in a second (the
    // metadata id). Their failures are kept in their parts and never fail the query.
    bool trend_parts = false;
};

Result<model::ReplicaSnapshot> FetchReplicaSnapshot(const ReplicaQuery& query,
                                                    const transport::Deadline& deadline);

}  // namespace mfsmon::protocol
