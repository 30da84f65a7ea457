// LockFreeQueue under load: 1-4 producers x 1-2 consumers x every wait policy. Every task is
// delivered exactly once (a per-task mark, counts and a checksum), in order per producer as
// seen by each consumer, and no wake-up is lost: the test waits for every delivery *before*
// close() (which would wake a lost sleeper and hide the bug), and a watchdog thread fails the
// test when deliveries stop making progress instead of letting it hang.
//
// Built twice (tests/cpp/CMakeLists.txt): lockfree_queue_stress_test with 20 000 tasks per
// configuration runs in every ctest run (and under the tsan preset);
// lockfree_queue_stress_long_test with FB_STRESS_TASKS = 10^7 carries the ctest label
// `stress` and is opt-in, because it takes tens of minutes on a busy 2-vCPU VM:
//   FASTERBENCH_STRESS=1 ctest --test-dir build -L stress
// Without FASTERBENCH_STRESS it skips, so a plain `ctest` stays short.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "framework/dispatch/lockfree_queue.h"

#ifndef FB_STRESS_TASKS
#define FB_STRESS_TASKS 20000
#endif
#ifndef FB_STRESS_OPT_IN
#define FB_STRESS_OPT_IN 0
#endif
// Distinct test names for the two builds, so ctest lists each once (gtest pastes the
// instantiation prefix with ##, so it cannot come from a function-like macro).
#if FB_STRESS_OPT_IN
#define FB_STRESS_MATRIX LongMatrix
#define FB_STRESS_POLICIES LongPolicies
#else
#define FB_STRESS_MATRIX Matrix
#define FB_STRESS_POLICIES Policies
#endif

namespace {

using namespace std::chrono_literals;
using fb::LockFreeQueue;
using fb::Task;
using fb::WaitPolicy;

// Tasks per configuration, split among the producers.
constexpr std::uint64_t kTasks = FB_STRESS_TASKS;
// Round trips per ping-pong configuration (but see kOversubscribedRoundTrips).
constexpr std::uint64_t kRoundTrips = kTasks / 10 < 2000 ? 2000 : kTasks / 10;
// Three spinning threads on two vCPUs make progress only when the scheduler preempts one of
// them: about a millisecond per round trip. Enough to show it does not livelock.
constexpr std::uint64_t kOversubscribedRoundTrips = 2000;
// No delivery for this long means a lost wake-up (or a livelock): fail, do not hang. Generous
// because a 2-vCPU VM under TSan with 6 spinning threads is slow, never stalled this long.
constexpr auto kStallLimit = 30s;
// With the policies that park, a producer naps every kBurst pushes, so consumers go idle and
// park between bursts: the parking and wake-up paths run thousands of times per
// configuration, and a consumer naps every kSlowEvery pops, so the small ring fills and the
// backpressure path runs. Policies that never park skip the naps: a nap on a loaded 2-vCPU
// VM next to a spinning thread costs a scheduler quantum, and their rings fill anyway.
constexpr std::uint64_t kBurst = 512;
constexpr std::uint64_t kSlowEvery = 997;
constexpr std::size_t kCapacity = 64;
constexpr unsigned kProducerShift = 40;  // task number = producer << 40 | (sequence + 1)

Task task_of(std::uint64_t n) { return Task{reinterpret_cast<fb::RequestContext*>(static_cast<std::uintptr_t>(n))}; }
std::uint64_t number_of(const Task& t) { return reinterpret_cast<std::uintptr_t>(t.context); }

// Fails the test process when `progress()` stops changing for kStallLimit. Printing and
// _Exit are the only safe moves: the stuck threads cannot be joined.
class Watchdog {
 public:
  Watchdog(std::function<std::uint64_t()> progress, std::function<std::string()> describe)
      : thread_([this, progress = std::move(progress), describe = std::move(describe)] {
          std::uint64_t last = progress();
          auto last_change = std::chrono::steady_clock::now();
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, 50ms, [this] { return stop_; })) {
            const std::uint64_t now_value = progress();
            const auto now = std::chrono::steady_clock::now();
            if (now_value != last) {
              last = now_value;
              last_change = now;
            } else if (now - last_change > kStallLimit) {
              std::fprintf(stderr, "WATCHDOG: no progress for %lld s (lost wake-up?): %s\n",
                           static_cast<long long>(kStallLimit.count()), describe().c_str());
              std::fflush(stderr);
              std::_Exit(EXIT_FAILURE);
            }
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mutex_
  std::thread thread_;  // last: starts after the members it uses
};

struct Config {
  int producers;
  int consumers;
  WaitPolicy policy;
};

std::string config_name(const Config& c) {
  return "P" + std::to_string(c.producers) + "C" + std::to_string(c.consumers) + "_" +
         std::string(fb::wait_policy_name(c.policy));
}

std::vector<Config> all_configs() {
  std::vector<Config> out;
  for (WaitPolicy w : {WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::park, WaitPolicy::adaptive}) {
    for (int p = 1; p <= 4; ++p) {
      for (int c = 1; c <= 2; ++c) out.push_back({p, c, w});
    }
  }
  return out;
}

// One consumer's results, on its own cache lines.
struct alignas(128) ConsumerTally {
  std::atomic<std::uint64_t> popped{0};  // read by the watchdog and the main thread
  std::uint64_t checksum = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t out_of_range = 0;
  std::uint64_t out_of_order = 0;  // per producer, this consumer saw a sequence go backwards
};

// The long build runs only when asked to (see the top of the file).
void skip_unless_opted_in() {
  if (FB_STRESS_OPT_IN && std::getenv("FASTERBENCH_STRESS") == nullptr) {
    GTEST_SKIP() << "long stress test: run it with FASTERBENCH_STRESS=1 ctest -L stress";
  }
}

class LockFreeQueueStress : public ::testing::TestWithParam<Config> {
 protected:
  void SetUp() override { skip_unless_opted_in(); }
};

TEST_P(LockFreeQueueStress, EveryTaskExactlyOnceNoLostWakeUp) {
  const Config cfg = GetParam();
  LockFreeQueue q(kCapacity, cfg.policy);
  const auto producers = static_cast<std::uint64_t>(cfg.producers);
  const bool naps = cfg.policy == WaitPolicy::park || cfg.policy == WaitPolicy::adaptive;

  std::vector<std::uint64_t> per_producer(producers, kTasks / producers);
  per_producer[0] += kTasks % producers;
  // seen[p][s]: how often task s of producer p was delivered. Exactly once, at the end.
  std::vector<std::unique_ptr<std::atomic<std::uint8_t>[]>> seen;
  for (std::uint64_t n : per_producer) seen.push_back(std::make_unique<std::atomic<std::uint8_t>[]>(n));
  std::vector<ConsumerTally> tallies(static_cast<std::size_t>(cfg.consumers));

  auto delivered = [&] {
    std::uint64_t n = 0;
    for (const ConsumerTally& t : tallies) n += t.popped.load(std::memory_order_relaxed);
    return n;
  };
  Watchdog watchdog(delivered, [&] {
    return config_name(cfg) + ": delivered " + std::to_string(delivered()) + " of " + std::to_string(kTasks) +
           ", parked workers " + std::to_string(q.parked_workers());
  });

  std::vector<std::thread> consumers;
  for (int c = 0; c < cfg.consumers; ++c) {
    consumers.emplace_back([&, c] {
      ConsumerTally& tally = tallies[static_cast<std::size_t>(c)];
      std::vector<std::uint64_t> last(producers, 0);  // last sequence + 1 seen per producer
      Task t;
      while (q.pop(t)) {
        const std::uint64_t n = number_of(t);
        const std::uint64_t p = n >> kProducerShift;
        const std::uint64_t seq1 = n & ((std::uint64_t{1} << kProducerShift) - 1);
        if (p >= producers || seq1 == 0 || seq1 > per_producer[p]) {
          ++tally.out_of_range;
        } else {
          if (seen[p][seq1 - 1].fetch_add(1, std::memory_order_relaxed) != 0) ++tally.duplicates;
          if (seq1 <= last[p]) ++tally.out_of_order;
          last[p] = seq1;
        }
        tally.checksum += n;
        const std::uint64_t popped = tally.popped.load(std::memory_order_relaxed) + 1;
        tally.popped.store(popped, std::memory_order_relaxed);
        if (naps && popped % kSlowEvery == 0) std::this_thread::sleep_for(20us);
      }
    });
  }
  std::vector<std::thread> producer_threads;
  for (std::uint64_t p = 0; p < producers; ++p) {
    producer_threads.emplace_back([&, p] {
      for (std::uint64_t s = 0; s < per_producer[p]; ++s) {
        q.push(task_of(p << kProducerShift | (s + 1)));
        if (naps && (s + 1) % kBurst == 0) std::this_thread::sleep_for(20us);
      }
    });
  }
  for (auto& t : producer_threads) t.join();
  // Every task must arrive before close(): close() wakes all sleepers and would hide a
  // wake-up lost earlier. The watchdog turns a lost one into a failure.
  while (delivered() != kTasks) {
    std::this_thread::sleep_for(200us);
    ASSERT_LE(delivered(), kTasks) << "more deliveries than tasks";
  }
  const std::uint64_t wake_calls = q.wake_calls();  // before close(), which always wakes
  q.close();
  for (auto& t : consumers) t.join();

  std::uint64_t expected_checksum = 0;
  for (std::uint64_t p = 0; p < producers; ++p) {
    const std::uint64_t n = per_producer[p];
    expected_checksum += n * (p << kProducerShift) + n * (n + 1) / 2;
  }
  std::uint64_t checksum = 0, duplicates = 0, out_of_range = 0, out_of_order = 0;
  for (const ConsumerTally& t : tallies) {
    checksum += t.checksum;
    duplicates += t.duplicates;
    out_of_range += t.out_of_range;
    out_of_order += t.out_of_order;
  }
  EXPECT_EQ(delivered(), kTasks);
  EXPECT_EQ(duplicates, 0u);
  EXPECT_EQ(out_of_range, 0u);
  EXPECT_EQ(out_of_order, 0u) << "FIFO per producer, as seen by each consumer";
  EXPECT_EQ(checksum, expected_checksum);
  std::uint64_t missing = 0;
  for (std::uint64_t p = 0; p < producers; ++p) {
    for (std::uint64_t s = 0; s < per_producer[p]; ++s) missing += seen[p][s].load(std::memory_order_relaxed) != 1;
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(q.parked_workers(), 0u);
  EXPECT_EQ(q.parked_producers(), 0u);
  if (cfg.policy == WaitPolicy::spin || cfg.policy == WaitPolicy::yield) {
    EXPECT_EQ(wake_calls, 0u) << "workers that never park are never woken";
  }
}

INSTANTIATE_TEST_SUITE_P(FB_STRESS_MATRIX, LockFreeQueueStress, ::testing::ValuesIn(all_configs()),
                         [](const auto& param_info) { return config_name(param_info.param); });

// Ping-pong through two queues: each pinger pushes one request and waits for its own reply,
// so with the park policy nearly every hand-off meets a parked worker. A lost wake-up stalls
// the exchange for good; the watchdog catches it.
struct PingConfig {
  int pingers;
  WaitPolicy policy;
  std::uint64_t round_trips = kRoundTrips;  // per pinger
};

class LockFreeQueuePingPong : public ::testing::TestWithParam<PingConfig> {
 protected:
  void SetUp() override { skip_unless_opted_in(); }
};

TEST_P(LockFreeQueuePingPong, NeverLosesAWakeUp) {
  const PingConfig cfg = GetParam();
  LockFreeQueue requests(kCapacity, cfg.policy);
  std::vector<std::unique_ptr<LockFreeQueue>> replies;
  for (int i = 0; i < cfg.pingers; ++i) replies.push_back(std::make_unique<LockFreeQueue>(4, cfg.policy));
  std::vector<std::atomic<std::uint64_t>> rounds(static_cast<std::size_t>(cfg.pingers));
  auto total = [&] {
    std::uint64_t n = 0;
    for (auto& r : rounds) n += r.load(std::memory_order_relaxed);
    return n;
  };
  Watchdog watchdog(total, [&] {
    return "ping-pong " + std::to_string(cfg.pingers) + " pingers, " + std::string(fb::wait_policy_name(cfg.policy)) +
           ": " + std::to_string(total()) + " round trips, parked echo " + std::to_string(requests.parked_workers());
  });
  std::thread echo([&] {
    Task t;
    while (requests.pop(t)) replies[number_of(t) >> kProducerShift]->push(t);
  });
  std::vector<std::thread> pingers;
  for (int i = 0; i < cfg.pingers; ++i) {
    pingers.emplace_back([&, i] {
      const auto me = static_cast<std::uint64_t>(i);
      Task t;
      for (std::uint64_t r = 1; r <= cfg.round_trips; ++r) {
        requests.push(task_of(me << kProducerShift | r));
        ASSERT_TRUE(replies[me]->pop(t));
        ASSERT_EQ(number_of(t), me << kProducerShift | r);
        rounds[me].store(r, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : pingers) t.join();
  requests.close();
  echo.join();
  EXPECT_EQ(total(), cfg.round_trips * static_cast<std::uint64_t>(cfg.pingers));
}

INSTANTIATE_TEST_SUITE_P(FB_STRESS_POLICIES, LockFreeQueuePingPong,
                         ::testing::Values(PingConfig{1, WaitPolicy::park}, PingConfig{2, WaitPolicy::park},
                                           PingConfig{1, WaitPolicy::adaptive}, PingConfig{2, WaitPolicy::adaptive},
                                           PingConfig{1, WaitPolicy::yield},
                                           PingConfig{2, WaitPolicy::spin, kOversubscribedRoundTrips}),
                         [](const auto& param_info) {
                           return std::to_string(param_info.param.pingers) + "pingers_" +
                                  std::string(fb::wait_policy_name(param_info.param.policy));
                         });

}  // namespace
