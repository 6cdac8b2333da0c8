#include "history/fault_guard.h"

#include <array>
#include <csetjmp>
#include <csignal>

#include <sys/time.h>

namespace mfsmon::history {

namespace {

constexpr std::array<int, 5> kSignals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGVTALRM};
constexpr int kAssertion = -1;

thread_local sigjmp_buf* t_jump = nullptr;
thread_local volatile sig_atomic_t t_signal = 0;

void OnFault(int sig) {
    if (t_jump != nullptr) {
        t_signal = sig;
        siglongjmp(*t_jump, 1);
    }
    if (sig == SIGVTALRM) return;  // the CPU timer, run out while another thread was on
    // A fault of another thread while a guard is up: not ours to hide. Back to the default
    // action; returning re-runs the faulting instruction, which then ends the process.
    std::signal(sig, SIG_DFL);
}

}  // namespace

int RunGuarded(void (*fn)(void*), void* context) {
    struct sigaction action {};
    action.sa_handler = OnFault;
    sigemptyset(&action.sa_mask);
    std::array<struct sigaction, kSignals.size()> previous{};
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        sigaction(kSignals[i], &action, &previous[i]);
    }
    // The CPU budget: user time only, so a slow disk (page-ins are system time and waiting)
    // never counts, a loop does.
    itimerval budget{};
    budget.it_value.tv_sec = kCpuBudgetMs / 1000;
    budget.it_value.tv_usec = (kCpuBudgetMs % 1000) * 1000;
    itimerval previous_timer{};
    setitimer(ITIMER_VIRTUAL, &budget, &previous_timer);
    sigjmp_buf jump;
    t_signal = 0;
    // savemask = 1: the handler runs with its signal blocked, and the jump must unblock it.
    if (sigsetjmp(jump, 1) == 0) {
        t_jump = &jump;
        fn(context);
    }
    t_jump = nullptr;
    setitimer(ITIMER_VIRTUAL, &previous_timer, nullptr);
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        sigaction(kSignals[i], &previous[i], nullptr);
    }
    return t_signal;
}

void LeaveGuardOnAssert() {
    if (t_jump != nullptr) {
        t_signal = kAssertion;
        siglongjmp(*t_jump, 1);
    }
}

}  // namespace mfsmon::history
