// One deadline for the whole run: -t/--timeout bounds connect, every write and every read
// together, so a server that trickles one byte per second cannot stretch a check past -t.
#pragma once

#include <chrono>

namespace mfsmon::transport {

class Deadline {
  public:
    using Clock = std::chrono::steady_clock;

    static Deadline After(std::chrono::milliseconds budget) {
        return Deadline(Clock::now() + budget, budget);
    }

    bool Expired() const { return Clock::now() >= end_; }

    // Milliseconds left, rounded up so that a poll() never spins at 0 while time remains.
    int RemainingMs() const {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(end_ - Clock::now());
        if (left.count() <= 0) return 0;
        return static_cast<int>((left.count() + 999) / 1000);
    }

    std::chrono::milliseconds Budget() const { return budget_; }
    Clock::time_point End() const { return end_; }

  private:
    Deadline(Clock::time_point end, std::chrono::milliseconds budget)
        : end_(end), budget_(budget) {}
    Clock::time_point end_;
    std::chrono::milliseconds budget_;
};

}  // namespace mfsmon::transport
