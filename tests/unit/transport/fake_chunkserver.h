// Scriptable fake chunkservers on 127.0.0.1 for the multi-exchange tests: each listens on an
// ephemeral port and runs its script, in its own background thread, on every connection it
// accepts. They do what a real chunkserver cannot be made to do: hang, trickle, truncate, lie
// about lengths, send garbage. The server itself (listening, accepting, the connection's reads
// and writes) is tests/common/fake_server.h.
#pragma once

#include <cstdint>
#include <utility>

#include "../../common/fake_server.h"
#include "transport/multi_exchange.h"

namespace mfsmon::transport::test {

using fake::Bytes;
using fake::FakeConnection;  // the server side of one accepted connection

class FakeChunkserver : public fake::FakeServer {
  public:
    // ServerOptions' defaults are a chunkserver's.
    explicit FakeChunkserver(Script script) : FakeServer(std::move(script), {}) {}

    ExchangeTarget target() const { return {"127.0.0.1", port()}; }
};

// A loopback port that refuses connections: bound (so nobody else takes it while the test
// runs) but not listening, so a connect gets a reset.
class RefusingPort : public fake::RefusingPort {
  public:
    ExchangeTarget target() const { return {"127.0.0.1", port()}; }
};

// Frame helpers.
inline Bytes Packet(std::uint32_t type, const Bytes& payload) {  // header + payload
    return fake::Frame(type, payload);
}
using fake::Concat;
using fake::Header;

// Descriptors this process has open now (entries of /proc/self/fd).
int OpenDescriptors();

}  // namespace mfsmon::transport::test
