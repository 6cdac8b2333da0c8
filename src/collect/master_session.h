// Admin requests to one master, pipelined on one connection.
//
// Requests are queued and written together; answers are read back in order. The master
// closes the connection on a request whose size or mode it does not accept, and a pipelined
// bad request takes every later answer with it. So when an answer cannot be read (closed,
// I/O error, an error packet or an answer we cannot frame), that request gets the error and
// the session reconnects ONCE and sends the requests still unanswered again. A second failure
// leaves the rest unanswered, each with an error that says why. A timeout ends the session:
// the deadline is the run's.
//
// With a ConnectionPool (the exporter), Connect() borrows an idle connection when there is
// one, and Release() gives it back once every answer is read. A borrowed connection the
// master has closed meanwhile fails on its first write or read: that costs a fresh connect
// and a resend, not the one reconnect a real failure gets.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "collect/connection_pool.h"
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
    MasterSession(std::string host, std::uint16_t port, ConnectionPool* pool = nullptr)
        : host_(std::move(host)), port_(port), pool_(pool) {}

    Status Connect(const transport::Deadline& deadline);

    // Appends a request to the next write.
    void Queue(MasterRequest request);
    // Writes every queued request in one write.
    Status Flush(const transport::Deadline& deadline);
    // The answer to the oldest request written and not yet answered.
    Result<transport::Frame> Read(const transport::Deadline& deadline);

    int reconnects() const { return reconnects_; }

    // Gives the connection back to the pool when it is in step (nothing queued or waiting
    // for an answer); otherwise it is closed with the session.
    void Release();

  private:
    Status Write(const std::deque<MasterRequest>& requests, const transport::Deadline& deadline);
    void Reconnect(const transport::Deadline& deadline);
    Status OpenFresh(const transport::Deadline& deadline);
    // A borrowed connection that has not answered yet failed: connect anew and send what is
    // unanswered again.
    Status ReplaceBorrowed(const transport::Deadline& deadline);
    bool UnusedBorrowed() const { return borrowed_ && answers_ == 0; }

    std::string host_;
    std::uint16_t port_;
    ConnectionPool* pool_;
    std::optional<transport::Connection> conn_;
    bool borrowed_ = false;      // conn_ came from the pool
    std::uint64_t answers_ = 0;  // read on conn_
    std::vector<MasterRequest> queued_;
    std::deque<MasterRequest> outstanding_;
    int reconnects_ = 0;
    std::optional<Error> broken_;  // why the connection is gone for good
};

}  // namespace mfsmon::collect
