// The writers' queue of the history store. LMDB's own writer mutex has no timeout: a run
// that waited on it could outlive its check's deadline. So every writer first takes an
// exclusive flock(2) on a separate file, <dir>/history.mdb-writer, polling with LOCK_NB until
// the deadline; LMDB's mutex is then never contended by another mfsmon run. The lock goes with
// the descriptor, so a run that dies releases it.
#pragma once

#include <chrono>
#include <filesystem>

#include "common/result.h"

namespace mfsmon::history {

inline constexpr const char* kWriterLockFile = "history.mdb-writer";

class WriterLock {
  public:
    // Opens (creating, 0600, never through a symlink) and locks <dir>/history.mdb-writer.
    // kTimeout when another process held it until `deadline` (one try even when the deadline
    // has passed already); kIo when the file cannot be opened or locked.
    static Result<WriterLock> Acquire(const std::filesystem::path& dir,
                                      std::chrono::steady_clock::time_point deadline);

    WriterLock(WriterLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    WriterLock& operator=(WriterLock&& other) noexcept;
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;
    ~WriterLock();

  private:
    explicit WriterLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace mfsmon::history
