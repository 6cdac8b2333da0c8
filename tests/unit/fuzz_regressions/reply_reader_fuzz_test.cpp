// reply_reader_fuzz: ReadReply must end by its deadline whatever the peer sends. It only
// looked at the deadline when the socket ran dry, so a peer that always had bytes ready
// kept it skipping NOP frames for as long as the bytes came: a port that streams zeros
// (every 8 zero bytes are a NOP of length 0) held `mfsmon check replicas -t 1` forever.
// Fuzzer input: 16,000,000 zero bytes (2,000,000 NOPs), which took ~5 s to read with a
// 100 ms deadline and tripped the harness's "no later than the deadline + 1 s" check.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "transport/connection.h"
#include "transport/deadline.h"

namespace mfsmon::transport {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Streams zero bytes into `fd` as fast as the reader takes them, until the reader closes or
// `limit` has passed (so that a regression fails the test instead of hanging it).
void StreamZeros(int fd, std::chrono::milliseconds limit) {
    const std::vector<std::uint8_t> zeros(64 * 1024, 0);
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        if (send(fd, zeros.data(), zeros.size(), MSG_NOSIGNAL) < 0) break;
    }
    shutdown(fd, SHUT_WR);
}

TEST(FuzzRegressionReplyReader, NopFloodEndsAtTheDeadline) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    const int reader = fds[0], writer = fds[1];
    // Connection::Open makes non-blocking sockets; the adopted one must be too.
    ASSERT_EQ(fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK), 0);
    std::thread peer(StreamZeros, writer, 10s);

    Result<Frame> reply = MakeError(ErrorKind::kIo, "not run");
    Clock::duration took{};
    {
        Connection conn = Connection::Adopt(reader, "flood:9421");
        const auto started = Clock::now();
        reply = conn.ReadReply(511, 4096, "CLTOMA_INFO", Deadline::After(200ms));
        took = Clock::now() - started;
    }  // closes the reader: the peer's send fails and it stops
    peer.join();
    close(writer);

    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ErrorKind::kTimeout) << reply.error().message;
    EXPECT_NE(reply.error().message.find("keep-alive packets skipped"), std::string::npos)
        << reply.error().message;
    EXPECT_LT(took, 200ms + 1s)
        << "ReadReply overran its deadline by "
        << std::chrono::duration_cast<std::chrono::milliseconds>(took - 200ms).count() << " ms";
}

}  // namespace
}  // namespace mfsmon::transport
