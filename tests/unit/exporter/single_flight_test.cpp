// SingleFlight: concurrent calls of one key share one run of the work; a follower whose
// deadline passes gets nullptr; nothing is cached once the work is done; keys are independent.
// Threads wait on latches the test controls; sleeps only give threads time to arrive, and
// every wait is bounded (a hang guard), never asserted as a duration.
#include "exporter/single_flight.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace mfsmon::exporter {
namespace {

using namespace std::chrono_literals;
using Flight = SingleFlight<int>;
using Clock = Flight::Clock;

// A one-shot gate: Wait() blocks until Open() (or 10 s, a hang guard: then false).
class Gate {
  public:
    void Open() {
        std::lock_guard lock(mu_);
        open_ = true;
        cv_.notify_all();
    }
    bool Wait() {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 10s, [&] { return open_; });
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
};

// Polls until `done` (up to 10 s, a hang guard).
template <typename F>
bool Eventually(F done) {
    for (int i = 0; i < 2000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

Clock::time_point Later() {
    return Clock::now() + 30s;
}

TEST(SingleFlightTest, ConcurrentCallersOfOneKeyShareOneRun) {
    Flight flight;
    constexpr int kThreads = 8;
    std::atomic<int> runs{0};
    Gate release;
    std::atomic<int> arrived{0};
    std::vector<Flight::Outcome> outcomes(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ++arrived;
            outcomes[static_cast<std::size_t>(t)] = flight.Do("master:9421", Later(), [&] {
                const int n = ++runs;
                release.Wait();
                return std::make_shared<const int>(100 + n);
            });
        });
    }
    // Every thread but the leader waits in Do while the first run is held.
    ASSERT_TRUE(Eventually([&] {
        return arrived == kThreads && flight.InFlight() == 1 &&
               flight.Waiting() == static_cast<std::size_t>(kThreads - 1);
    }));
    release.Open();
    for (auto& th : threads) th.join();

    EXPECT_EQ(runs, 1);
    int leaders = 0;
    for (const auto& o : outcomes) {
        ASSERT_NE(o.value, nullptr);
        EXPECT_EQ(o.value, outcomes[0].value) << "every caller gets the one value";
        EXPECT_EQ(*o.value, 101);
        if (!o.shared) ++leaders;
    }
    EXPECT_EQ(leaders, 1);
    EXPECT_EQ(flight.InFlight(), 0u);
}

TEST(SingleFlightTest, FollowerPastItsDeadlineGetsNullWhileTheLeaderWorks) {
    Flight flight;
    Gate release;
    Flight::Outcome leader;
    std::thread t([&] {
        leader = flight.Do("k", Later(), [&] {
            release.Wait();
            return std::make_shared<const int>(7);
        });
    });
    ASSERT_TRUE(Eventually([&] { return flight.InFlight() == 1; }));

    bool follower_ran = false;
    auto late = flight.Do("k", Clock::now() - 1s, [&] {
        follower_ran = true;
        return std::make_shared<const int>(8);
    });
    EXPECT_EQ(late.value, nullptr);
    EXPECT_TRUE(late.shared);
    EXPECT_FALSE(follower_ran);

    // A follower with a short deadline in the future times out the same way.
    auto soon = flight.Do("k", Clock::now() + 20ms, [&] {
        follower_ran = true;
        return std::make_shared<const int>(9);
    });
    EXPECT_EQ(soon.value, nullptr);
    EXPECT_TRUE(soon.shared);
    EXPECT_FALSE(follower_ran);
    EXPECT_EQ(flight.InFlight(), 1u) << "the leader is still at work";

    release.Open();
    t.join();
    ASSERT_NE(leader.value, nullptr);
    EXPECT_EQ(*leader.value, 7);
    EXPECT_FALSE(leader.shared);
    EXPECT_EQ(flight.InFlight(), 0u);
}

TEST(SingleFlightTest, FollowerWithTimeLeftGetsTheLeadersValue) {
    Flight flight;
    Gate release;
    Flight::Outcome leader, follower;
    std::thread a([&] {
        leader = flight.Do("k", Later(), [&] {
            release.Wait();
            return std::make_shared<const int>(5);
        });
    });
    ASSERT_TRUE(Eventually([&] { return flight.InFlight() == 1; }));
    std::atomic<bool> follower_ran{false};
    std::atomic<bool> follower_arrived{false};
    std::atomic<bool> follower_done{false};
    std::thread b([&] {
        follower_arrived = true;
        follower = flight.Do("k", Later(), [&] {
            follower_ran = true;
            return std::make_shared<const int>(6);
        });
        follower_done = true;
    });
    ASSERT_TRUE(Eventually([&] { return follower_arrived.load() && flight.Waiting() == 1; }));
    EXPECT_FALSE(follower_done) << "the follower must wait for the leader";
    release.Open();
    a.join();
    b.join();
    EXPECT_FALSE(follower_ran);
    ASSERT_NE(follower.value, nullptr);
    EXPECT_EQ(follower.value, leader.value);
    EXPECT_TRUE(follower.shared);
    EXPECT_FALSE(leader.shared);
}

TEST(SingleFlightTest, SequentialCallsRunTheWorkEachTime) {
    Flight flight;
    int runs = 0;
    auto work = [&] { return std::make_shared<const int>(++runs); };
    auto first = flight.Do("k", Later(), work);
    auto second = flight.Do("k", Later(), work);
    EXPECT_EQ(runs, 2) << "nothing is cached";
    ASSERT_NE(first.value, nullptr);
    ASSERT_NE(second.value, nullptr);
    EXPECT_EQ(*first.value, 1);
    EXPECT_EQ(*second.value, 2);
    EXPECT_FALSE(first.shared);
    EXPECT_FALSE(second.shared);
    EXPECT_EQ(flight.InFlight(), 0u);
}

TEST(SingleFlightTest, AfterATimedOutFollowerANewCallRunsAgain) {
    Flight flight;
    Gate release;
    std::atomic<int> runs{0};
    std::thread t([&] {
        flight.Do("k", Later(), [&] {
            ++runs;
            release.Wait();
            return std::make_shared<const int>(1);
        });
    });
    ASSERT_TRUE(Eventually([&] { return flight.InFlight() == 1; }));
    EXPECT_EQ(flight.Do("k", Clock::now(), [] { return std::make_shared<const int>(2); }).value,
              nullptr);
    release.Open();
    t.join();
    auto again = flight.Do("k", Later(), [&] {
        ++runs;
        return std::make_shared<const int>(3);
    });
    EXPECT_EQ(runs, 2);
    ASSERT_NE(again.value, nullptr);
    EXPECT_EQ(*again.value, 3);
    EXPECT_FALSE(again.shared);
}

TEST(SingleFlightTest, NullValueIsSharedAsIs) {
    // A work that yields nullptr: the follower gets nullptr too (it cannot tell that from a
    // timeout, which the caller must allow for).
    Flight flight;
    Gate release;
    std::thread t([&] {
        flight.Do("k", Later(), [&]() -> std::shared_ptr<const int> {
            release.Wait();
            return nullptr;
        });
    });
    ASSERT_TRUE(Eventually([&] { return flight.InFlight() == 1; }));
    std::thread opener([&] {
        // Opened once the call below waits on the one in flight.
        Eventually([&] { return flight.Waiting() == 1; });
        release.Open();
    });
    auto f = flight.Do("k", Later(), [] { return std::make_shared<const int>(1); });
    EXPECT_EQ(f.value, nullptr);
    EXPECT_TRUE(f.shared);
    t.join();
    opener.join();
}

TEST(SingleFlightTest, DistinctKeysRunConcurrently) {
    Flight flight;
    Gate b_ran;
    std::atomic<bool> a_saw_b{false};
    Flight::Outcome a, b;
    // A's work holds until B's work has run: if B waited for A, A would never see it.
    std::thread ta([&] {
        a = flight.Do("a", Later(), [&] {
            a_saw_b = b_ran.Wait();
            return std::make_shared<const int>(1);
        });
    });
    ASSERT_TRUE(Eventually([&] { return flight.InFlight() == 1; }));
    std::thread tb([&] {
        b = flight.Do("b", Later(), [&] {
            b_ran.Open();
            return std::make_shared<const int>(2);
        });
    });
    ta.join();
    tb.join();
    EXPECT_TRUE(a_saw_b) << "key b waited for key a";
    ASSERT_NE(a.value, nullptr);
    ASSERT_NE(b.value, nullptr);
    EXPECT_EQ(*a.value, 1);
    EXPECT_EQ(*b.value, 2);
    EXPECT_FALSE(a.shared);
    EXPECT_FALSE(b.shared);
}

TEST(SingleFlightTest, ManyKeysManyCallers) {
    // 4 keys x 6 callers each, all held until every key is in flight: one run per key.
    Flight flight;
    constexpr int kKeys = 4, kCallers = 6;
    std::atomic<int> runs[kKeys] = {};
    Gate release;
    std::atomic<int> arrived{0};
    std::vector<Flight::Outcome> outcomes(kKeys * kCallers);
    std::vector<std::thread> threads;
    for (int k = 0; k < kKeys; ++k) {
        for (int c = 0; c < kCallers; ++c) {
            threads.emplace_back([&, k, c] {
                ++arrived;
                outcomes[static_cast<std::size_t>(k * kCallers + c)] =
                    flight.Do("key" + std::to_string(k), Later(), [&, k] {
                        ++runs[k];
                        release.Wait();
                        return std::make_shared<const int>(k);
                    });
            });
        }
    }
    ASSERT_TRUE(Eventually([&] {
        return arrived == kKeys * kCallers &&
               flight.InFlight() == static_cast<std::size_t>(kKeys) &&
               flight.Waiting() == static_cast<std::size_t>(kKeys * (kCallers - 1));
    }));
    release.Open();
    for (auto& th : threads) th.join();
    for (int k = 0; k < kKeys; ++k) {
        EXPECT_EQ(runs[k], 1) << "key" << k;
        for (int c = 0; c < kCallers; ++c) {
            const auto& o = outcomes[static_cast<std::size_t>(k * kCallers + c)];
            ASSERT_NE(o.value, nullptr);
            EXPECT_EQ(*o.value, k);
        }
    }
}

}  // namespace
}  // namespace mfsmon::exporter
