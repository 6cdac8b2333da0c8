// Admin requests to one master, pipelined on one connection.
//
// Requests are queued and written together; answers are read back in order. The master
// closes the connection on a request whose size or mode it does not accept, and a pipelined
// bad request takes every later answer with it. So when an answer cannot be read (closed,
// I/O error, an error packet or an answer we cannot frame), that request gets the error and
// the session reconnects ONCE and sends the requests still unanswered again. A second failure
// leaves the rest unanswered, each with an error that says why. A timeout ends the session:
// the deadline is the run's.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "protocol/command_ids.h"
#include "transport/connection.h"
#include "transport/deadline.h"

namespace mfsmon::collect {

struct MasterRequest {
    protocol::Command command;
    std::vector<std::uint8_t> payload;
    std::uint32_t max_answer_length = 0;  // checked before anything is allocated
};

class MasterSession {
  public:
    MasterSession(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}

    Status Connect(const transport::Deadline& deadline);

    // Appends a request to the next write.
    void Queue(MasterRequest request);
    // Writes every queued request in one write.
    Status Flush(const transport::Deadline& deadline);
    // The answer to the oldest request written and not yet answered.
    Result<transport::Frame> Read(const transport::Deadline& deadline);

    int reconnects() const { return reconnects_; }

  private:
    Status Write(const std::deque<MasterRequest>& requests, const transport::Deadline& deadline);
    void Reconnect(const transport::Deadline& deadline);

    std::string host_;
    std::uint16_t port_;
    std::optional<transport::Connection> conn_;
    std::vector<MasterRequest> queued_;
    std::deque<MasterRequest> outstanding_;
    int reconnects_ = 0;
    std::optional<Error> broken_;  // why the connection is gone for good
};

}  // namespace mfsmon::collect
