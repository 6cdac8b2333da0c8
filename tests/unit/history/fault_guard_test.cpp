#include "history/fault_guard.h"

#include <csignal>

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/time.h>

namespace mfsmon::history {
namespace {

void HandlerOf(int sig, struct sigaction& out) {
    sigaction(sig, nullptr, &out);
}

TEST(FaultGuard, ReturnsZeroWhenTheCodeReturns) {
    int ran = 0;
    auto fn = [&] { ran = 1; };
    EXPECT_EQ(Guarded(fn), 0);
    EXPECT_EQ(ran, 1);
}

TEST(FaultGuard, TurnsAFaultIntoItsSignal) {
    // A page with no access at all: reading it is SIGSEGV, as a wild LMDB pointer would be.
    void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(page, MAP_FAILED);
    volatile int sink = 0;
    auto fn = [&] { sink = *static_cast<volatile int*>(page); };
    EXPECT_EQ(Guarded(fn), SIGSEGV);
    (void)sink;
    ::munmap(page, 4096);
    // and the guard can be used again after a jump out of it
    auto fine = [] {};
    EXPECT_EQ(Guarded(fine), 0);
}

TEST(FaultGuard, StopsALoopAfterItsCpuBudget) {
    volatile bool forever = true;
    auto fn = [&] {
        while (forever) {
        }
    };
    EXPECT_EQ(Guarded(fn), SIGVTALRM);
}

TEST(FaultGuard, PutsBackThePreviousHandlersAndTimer) {
    struct sigaction before {
    }, after{};
    HandlerOf(SIGSEGV, before);
    itimerval timer_before{}, timer_after{};
    getitimer(ITIMER_VIRTUAL, &timer_before);
    auto fn = [] {};
    Guarded(fn);
    HandlerOf(SIGSEGV, after);
    getitimer(ITIMER_VIRTUAL, &timer_after);
    EXPECT_EQ(before.sa_handler, after.sa_handler);
    EXPECT_EQ(timer_after.it_value.tv_sec, timer_before.it_value.tv_sec);
    EXPECT_EQ(timer_after.it_value.tv_usec, timer_before.it_value.tv_usec);
}

}  // namespace
}  // namespace mfsmon::history
