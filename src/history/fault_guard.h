// A guard for reading a store file that may be corrupt. LMDB trusts what it mmaps: a damaged
// page can send it past the end of the file (SIGBUS), to a wild offset (SIGSEGV), into a
// division by a zeroed page size (SIGFPE) or into one of its own assertions (abort). A check
// must never die of its history, so store access runs under this guard: such a fault jumps
// back here (siglongjmp) and the caller treats the store as corrupt.
//
// A damaged page can also send LMDB round in circles: a wild pointer that lands in memory
// that is mapped (under ASan, its shadow; in a release build, anything of the process) is read
// as a page and may never lead to an end. So the guard also gives the access a budget of user
// CPU time (ITIMER_VIRTUAL, SIGVTALRM), far above what a real read or write of a store takes
// (well under 10 ms); running out of it counts as a fault too. User time only: waiting for a
// slow disk does not count, so a slow store is never taken for a corrupt one.
//
// After a fault, the LMDB environment that faulted is in an unknown state (a mutex of its
// lock file may be held, a transaction half begun): it must never be used or closed again,
// only abandoned (its descriptors and mapping live until the process exits, which for a
// check is soon). Frames skipped by the jump do not run destructors, so the guarded code
// only calls LMDB and copies bytes out into objects owned outside the guard.
#pragma once

namespace mfsmon::history {

inline constexpr long kCpuBudgetMs = 500;

// Runs fn(context) with SIGSEGV, SIGBUS, SIGFPE and SIGILL caught for this thread, and at
// most kCpuBudgetMs of user CPU time (SIGVTALRM). Returns 0 when it returned, else the signal
// that ended it (-1 for an LMDB assertion). The previous handlers and CPU timer are back in
// place on return either way. Not for threads that use ITIMER_VIRTUAL themselves.
int RunGuarded(void (*fn)(void*), void* context);

template <typename F>
int Guarded(F& fn) {
    return RunGuarded([](void* f) { (*static_cast<F*>(f))(); }, &fn);
}

// For mdb_env_set_assert: inside a guard, leaves it as a fault (-1); outside one, returns and
// LMDB aborts as it would have.
void LeaveGuardOnAssert();

}  // namespace mfsmon::history
