// A scriptable fake MooseFS master on loopback, for what a real master cannot be made to do:
// hang, trickle, truncate, lie about lengths, send garbage. Each test gives a script that
// runs on the server side of the one connection mfsmon opens. The server itself (listening,
// accepting, the connection's reads and writes) is tests/common/fake_server.h.
#pragma once

#include <cstdint>

#include "../common/fake_server.h"

namespace mfsmon::fault {

using Bytes = fake::Bytes;
using Request = fake::Request;
// The server side of one accepted connection.
using FakeConnection = fake::FakeConnection;

class FakeMaster : public fake::FakeServer {
  public:
    // Listens on 127.0.0.1 at a free port; runs `script` for each connection accepted,
    // then closes that connection.
    explicit FakeMaster(Script script);
};

// Frame helpers.
using fake::Concat;
using fake::Frame;
using fake::Header;

}  // namespace mfsmon::fault
