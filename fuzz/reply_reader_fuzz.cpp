// Connection::ReadReply on arbitrary peer bytes, then the decoders on what it returns: the
// INFO answer (511) and the CHUNKS_MATRIX answer (517) a check reads from one connection.
// The input is everything the "master" sends; it is written into one end of a socketpair
// whose write side is then shut down, and the other end is adopted as the Connection. It
// must never crash, never wait past the deadline and never allocate more than the reply
// can need (run with -rss_limit_mb=512 -malloc_limit_mb=64 -max_len=65536).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <thread>

#include "fuzz_check.h"
#include "model/version.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"
#include "protocol/master_version.h"
#include "transport/connection.h"
#include "transport/deadline.h"

namespace {

using mfsmon::transport::Connection;
using mfsmon::transport::Deadline;
using Clock = std::chrono::steady_clock;

constexpr auto kBudget = std::chrono::milliseconds(100);
// A read may end a little after its deadline (scheduling, sanitizers), never much later.
constexpr auto kLateness = std::chrono::milliseconds(1000);

// Writes what fits without blocking; returns how many bytes went out.
std::size_t WriteNow(int fd, const std::uint8_t* data, std::size_t size) {
    std::size_t sent = 0;
    while (sent < size) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;  // EAGAIN: the buffer is full
        }
    }
    return sent;
}

// Blocking writer for inputs that do not fit the socket buffer; stops when the reader closes.
void WriteRest(int fd, const std::uint8_t* data, std::size_t size) {
    std::size_t sent = 0;
    while (sent < size) {
        pollfd p{fd, POLLOUT, 0};
        if (poll(&p, 1, 5000) <= 0) break;
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
        } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        } else {
            break;  // EPIPE: the reader is gone
        }
    }
    shutdown(fd, SHUT_WR);
}

template <typename T>
void CheckReply(const mfsmon::Result<T>& reply, std::uint32_t expected_type,
                std::uint32_t max_length, Clock::time_point started) {
    FUZZ_CHECK(Clock::now() - started < kBudget + kLateness);
    if (!reply) {
        mfsmon::fuzz::CheckError(reply.error());
        return;
    }
    FUZZ_CHECK(reply->type == expected_type);
    FUZZ_CHECK(reply->payload.size() <= max_length);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int fds[2];
    FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    const int reader = fds[0], writer = fds[1];
    // The Connection expects a non-blocking socket, as Open makes them.
    FUZZ_CHECK(fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK) == 0);
    int sndbuf = 1 << 20;  // the kernel caps this at net.core.wmem_max
    setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    std::optional<std::thread> rest;
    const std::size_t sent = WriteNow(writer, data, size);
    if (sent == size) {
        shutdown(writer, SHUT_WR);
    } else {
        rest.emplace(WriteRest, writer, data + sent, size - sent);
    }

    {
        Connection conn = Connection::Adopt(reader, "fuzz:9421");
        const auto deadline = Deadline::After(kBudget);
        const auto started = Clock::now();

        auto info_frame =
            conn.ReadReply(mfsmon::protocol::kMatoclInfo, 4096, "CLTOMA_INFO", deadline);
        CheckReply(info_frame, mfsmon::protocol::kMatoclInfo, 4096, started);
        if (info_frame) {
            const std::span<const std::uint8_t> payload(info_frame->payload);
            std::optional<mfsmon::model::Version> version;
            if (auto info = mfsmon::protocol::DecodeInfo(payload); info) {
                FUZZ_CHECK(info->layout_length == payload.size());
                version = info->version;
            } else {
                mfsmon::fuzz::CheckError(info.error());
                // Still read on with the version word alone, to reach the matrix decoder
                // with as many versions as possible.
                if (auto v = mfsmon::protocol::DecodeInfoVersion(payload); v) version = *v;
            }

            auto matrix_frame = conn.ReadReply(mfsmon::protocol::kMatoclChunksMatrix, 65536,
                                               "CLTOMA_CHUNKS_MATRIX", deadline);
            CheckReply(matrix_frame, mfsmon::protocol::kMatoclChunksMatrix, 65536, started);
            if (matrix_frame && version) {
                auto matrices =
                    mfsmon::protocol::DecodeChunksMatrix(matrix_frame->payload, *version);
                if (!matrices) mfsmon::fuzz::CheckError(matrices.error());
            }
        }
    }  // closes `reader`: a blocked writer gets EPIPE and ends

    if (rest) rest->join();
    close(writer);
    return 0;
}
