// Connections kept open between collections, for a long-running collector (the exporter).
//
// A check opens one connection to the master and one to each chunkserver and exits. An
// exporter scraped every few seconds that did the same would leave a socket in TIME_WAIT per
// chunkserver per scrape and run out of local ports at a few hundred scrapes per second. So
// the exporter lends each collection the connections the previous one left, and keeps them
// alive in between: the master closes an admin connection that sends nothing for 10 s, a
// chunkserver after 5 s (shared/reference: wire protocol, section 1), so KeepAlive() sends a
// NOP on every idle connection and reads away the NOPs the servers send.
//
// Only connections whose last exchange ended cleanly (every answer read, nothing more
// pending) are given back: a connection out of step would hand the next collection someone
// else's answer. A lent connection that turns out to be closed costs the borrower one fresh
// connect (master_session.h, transport/multi_exchange.h), never an error.
//
// Thread-safe. A connection is either lent (owned by one collection) or idle here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transport/connection.h"

namespace mfsmon::collect {

struct ConnectionPoolLimits {
    // An idle connection nobody borrowed for this long is closed (a target no longer scraped).
    std::chrono::milliseconds idle_limit{300000};
    // Idle connections kept in all, and per peer (two scrapes of one master at once, from
    // /probe and from /metrics, each need their own).
    std::size_t max_idle = 4096;
    std::size_t max_idle_per_peer = 2;
    // KeepAlive() sends a NOP on a connection silent this long (the servers wait 5 s). Not on
    // every round: a NOP sent just before a collection borrows the connection makes the
    // server's answer wait for a delayed ACK (~40 ms).
    std::chrono::milliseconds nop_after{1500};
};

struct ConnectionPoolStats {
    std::size_t idle = 0;
    std::uint64_t reused = 0;   // borrowed from the pool
    std::uint64_t missed = 0;   // asked for, none idle: the borrower connects anew
    std::uint64_t dropped = 0;  // closed by KeepAlive (peer closed, garbage, idle too long)
};

class ConnectionPool {
  public:
    using Clock = std::chrono::steady_clock;

    explicit ConnectionPool(ConnectionPoolLimits limits = {}) : limits_(limits) {}
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Masters: a whole transport::Connection.
    std::optional<transport::Connection> TakeMaster(const std::string& host, std::uint16_t port);
    void GiveBackMaster(const std::string& host, std::uint16_t port, transport::Connection conn);

    // Chunkservers: a connected socket (transport/multi_exchange.h speaks on raw sockets).
    // -1 when none is idle. The pool owns what it is given back.
    int TakeChunkserver(const std::string& host, std::uint16_t port);
    void GiveBackChunkserver(const std::string& host, std::uint16_t port, int fd);

    // Sends a NOP on every idle connection silent for 1.5 s, reads away the NOPs that came in,
    // and closes the ones the peer closed, that sent anything but NOPs, or that idled past the
    // limit. Call about once a second (a chunkserver closes after 5 s of silence).
    void KeepAlive();

    ConnectionPoolStats Stats() const;

  private:
    struct Idle {
        std::optional<transport::Connection> master;  // set for a master
        int fd = -1;                                  // the socket (a chunkserver's is owned)
        Clock::time_point since;                      // given back
        Clock::time_point last_nop;                   // or given back: when we last sent anything
    };
    using Key = std::string;  // "host:port" ("[v6]:port")

    static Key KeyOf(const std::string& host, std::uint16_t port);
    void Keep(Key key, Idle idle);  // mutex held
    static void Close(Idle& idle);  // closes a chunkserver's socket; a master's closes itself

    ConnectionPoolLimits limits_;
    mutable std::mutex mutex_;
    std::map<Key, std::vector<Idle>> idle_;
    std::size_t count_ = 0;
    std::uint64_t reused_ = 0;
    std::uint64_t missed_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace mfsmon::collect
