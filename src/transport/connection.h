// A blocking-by-deadline TCP connection that speaks MooseFS frames. Every call takes the
// run's Deadline; nothing here waits without one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "transport/deadline.h"
#include "transport/frame.h"

namespace mfsmon::transport {

class Connection {
  public:
    // Resolves `host` (bounded by the deadline), then connects to the first address that
    // accepts.
    static Result<Connection> Open(const std::string& host, std::uint16_t port,
                                   const Deadline& deadline);

    // Takes ownership of a connected socket (tests and fuzzing feed replies through a
    // socketpair this way).
    static Connection Adopt(int fd, std::string peer) { return Connection(fd, std::move(peer)); }

    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Writes raw bytes (one or several encoded frames).
    Status Send(const std::vector<std::uint8_t>& bytes, const Deadline& deadline);

    // Reads the answer to `request_name`: skips NOP frames, reports error packets 1/2, a
    // wrong type, a length over `max_length` (before allocating), a close or the deadline.
    Result<Frame> ReadReply(std::uint32_t expected_type, std::uint32_t max_length,
                            std::string_view request_name, const Deadline& deadline);

    const std::string& peer() const { return peer_; }
    // The socket, for keeping an idle connection alive (collect/connection_pool.h).
    int fd() const { return fd_; }

  private:
    Connection(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
    // Reads exactly `size` bytes. `got` reports how many arrived before an error.
    Status ReadExact(std::uint8_t* out, std::size_t size, std::size_t& got,
                     const Deadline& deadline);

    int fd_ = -1;
    std::string peer_;  // "host:port", for messages
};

}  // namespace mfsmon::transport
