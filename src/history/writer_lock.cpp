#include "history/writer_lock.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

namespace mfsmon::history {

namespace {

// A write holds the lock for about a millisecond (one put and one fdatasync): start polling
// at half of that and back off to 5 ms, so a queue of runs drains quickly without spinning.
constexpr std::chrono::microseconds kFirstPause{500};
constexpr std::chrono::microseconds kLongestPause{5000};

}  // namespace

Result<WriterLock> WriterLock::Acquire(const std::filesystem::path& dir,
                                       std::chrono::steady_clock::time_point deadline) {
    const std::filesystem::path path = dir / kWriterLockFile;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int err = errno;
        const char* why = err == ELOOP ? "is a symlink" : std::strerror(err);
        return MakeError(ErrorKind::kIo, fmt::format("cannot open {} ({})", path.string(), why));
    }
    WriterLock lock(fd);
    std::chrono::microseconds pause = kFirstPause;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) {
            return MakeError(ErrorKind::kIo, fmt::format("cannot lock {} ({})", path.string(),
                                                         std::strerror(errno)));
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return MakeError(ErrorKind::kTimeout,
                             fmt::format("{} was held until the deadline", path.string()));
        }
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
        std::this_thread::sleep_for(std::min(pause, left));
        pause = std::min(kLongestPause, pause * 3 / 2);
    }
    return lock;
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

WriterLock::~WriterLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace mfsmon::history
