// Concurrent requests for the same key share one piece of work in flight (Go's
// golang.org/x/sync/singleflight): fifty Prometheus servers probing one master at the same
// moment cause one collection and one connection to it, not fifty. Nothing is cached: a call
// that starts after the work in flight has finished does the work again, so no answer is ever
// older than the request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace mfsmon::exporter {

template <typename Value>
class SingleFlight {
  public:
    using Clock = std::chrono::steady_clock;

    struct Outcome {
        std::shared_ptr<const Value> value;  // nullptr: the wait for a shared call timed out
        bool shared = false;                 // another request did the work
    };

    // Runs `work` unless a call with the same key is in flight; then waits for that call's
    // value, at most until `until`. `work` must not throw.
    Outcome Do(const std::string& key, Clock::time_point until,
               const std::function<std::shared_ptr<const Value>()>& work) {
        std::unique_lock lock(mutex_);
        if (auto it = calls_.find(key); it != calls_.end()) {
            std::shared_ptr<Call> call = it->second;
            ++waiting_;
            call->done_cv.wait_until(lock, until, [&] { return call->done; });
            --waiting_;
            return Outcome{call->done ? call->value : nullptr, true};
        }
        auto call = std::make_shared<Call>();
        calls_.emplace(key, call);
        lock.unlock();
        std::shared_ptr<const Value> value = work();
        lock.lock();
        call->value = value;
        call->done = true;
        calls_.erase(key);
        call->done_cv.notify_all();
        return Outcome{std::move(value), false};
    }

    std::size_t InFlight() const {
        std::lock_guard lock(mutex_);
        return calls_.size();
    }

    // Callers waiting for another's work now.
    std::size_t Waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }

  private:
    struct Call {
        std::condition_variable done_cv;
        bool done = false;
        std::shared_ptr<const Value> value;
    };
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Call>> calls_;
    std::size_t waiting_ = 0;
};

}  // namespace mfsmon::exporter
