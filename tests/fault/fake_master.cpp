#include "fake_master.h"

#include <utility>

namespace mfsmon::fault {

namespace {

fake::ServerOptions MasterOptions() {
    fake::ServerOptions o;
    o.backlog = 8;
    o.reuse_address = true;
    // As a real master and chunkserver do: every write goes out at once. Without it, Nagle
    // can hold an answer back until the client's ACK, and a close with unread requests (a
    // reset) then discards that answer: answers written before a close would be lost or not
    // by timing.
    o.no_delay = true;
    o.max_request = 1u << 20;  // a longer request is not one mfsmon would send
    return o;
}

}  // namespace

FakeMaster::FakeMaster(Script script) : FakeServer(std::move(script), MasterOptions()) {}

}  // namespace mfsmon::fault
