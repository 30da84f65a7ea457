// LockFreeQueue and its wait strategy: policies, parking, close(), backpressure, the
// "wake-up syscall only when a worker is parked" rule, and the make_task_queue switch.
#include "framework/dispatch/lockfree_queue.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "framework/dispatch/make_task_queue.h"
#include "framework/dispatch/mutex_queue.h"
#include "framework/dispatch/wait_strategy.h"

namespace {

using namespace std::chrono_literals;
using fb::LockFreeQueue;
using fb::Task;
using fb::WaitPolicy;

constexpr WaitPolicy kPolicies[] = {WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::park, WaitPolicy::adaptive};

// Tasks carry a number instead of a RequestContext; the queue never dereferences it.
Task task_of(std::uintptr_t n) { return Task{reinterpret_cast<fb::RequestContext*>(n)}; }
std::uintptr_t number_of(const Task& t) { return reinterpret_cast<std::uintptr_t>(t.context); }

// Polls `pred` until it holds or `limit` passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

// CPU time a running thread has used so far (its clock is read from any thread).
std::chrono::nanoseconds cpu_time(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Idle workers on `q` (pop until closed), each publishing its CPU clock before it starts.
// Closes the queue when destroyed.
class IdleWorkers {
 public:
  IdleWorkers(LockFreeQueue& q, std::size_t count) : q_(q), clocks_(count) {
    for (std::size_t i = 0; i < count; ++i) {
      threads_.emplace_back([this, &q, i] {
        clockid_t clock;
        pthread_getcpuclockid(pthread_self(), &clock);
        clocks_[i].store(clock, std::memory_order_release);
        started_.fetch_add(1, std::memory_order_release);
        Task t;
        while (q.pop(t)) {
        }
      });
    }
  }
  ~IdleWorkers() {  // a failed assertion leaves before the test closes the queue
    q_.close();
    join();
  }
  void join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // CPU time used by all the workers so far (every worker has started).
  std::chrono::nanoseconds cpu_used() const {
    std::chrono::nanoseconds total{0};
    for (const auto& c : clocks_) total += cpu_time(c.load(std::memory_order_acquire));
    return total;
  }
  // Waits (bounded) until the workers together have used `cpu` more than now: they have been
  // polling for at least that long, whatever else the machine runs meanwhile.
  bool busy_for(std::chrono::nanoseconds cpu) const {
    if (!eventually([&] { return started_.load(std::memory_order_acquire) == clocks_.size(); })) return false;
    const auto before = cpu_used();
    return eventually([&] { return cpu_used() - before >= cpu; });
  }

 private:
  LockFreeQueue& q_;
  std::vector<std::atomic<clockid_t>> clocks_;
  std::atomic<std::size_t> started_{0};
  std::vector<std::thread> threads_;
};

TEST(WaitPolicy, NamesRoundTrip) {
  for (WaitPolicy p : kPolicies) EXPECT_EQ(fb::wait_policy_from_name(fb::wait_policy_name(p)), p);
  EXPECT_FALSE(fb::wait_policy_from_name("busy"));
}

// The one list a command line validates --wait against and documents it from.
TEST(WaitPolicy, OneListForTheCommandLine) {
  EXPECT_EQ(fb::wait_policy_names(), (std::vector<std::string>{"spin", "yield", "park", "adaptive"}));
  ASSERT_EQ(fb::kWaitPolicies.size(), std::size(kPolicies));
  for (std::size_t i = 0; i < fb::kWaitPolicies.size(); ++i) EXPECT_EQ(fb::kWaitPolicies[i], kPolicies[i]);
  EXPECT_EQ(fb::wait_policy_summary(WaitPolicy::spin), "pause loop, never sleeps");
  EXPECT_EQ(fb::wait_policy_summary(WaitPolicy::adaptive), "spin, then yield, then park");
  for (WaitPolicy p : fb::kWaitPolicies) EXPECT_FALSE(fb::wait_policy_summary(p).empty());
  EXPECT_EQ(fb::kDefaultWaitPolicy, WaitPolicy::adaptive);
}

TEST(Backoff, PhasesFollowThePolicy) {
  // A zero spin budget: the spin phase ends at the first clock check, then 2 yields, then park.
  fb::WaitTuning tuning{0, 2};
  fb::Backoff adaptive(WaitPolicy::adaptive, tuning);
  int retries = 0;
  while (adaptive.after_failed_poll() == fb::Backoff::Next::retry) {
    ASSERT_LT(++retries, 100);
  }
  EXPECT_GE(retries, 2);
  EXPECT_TRUE(adaptive.spinning()) << "the phase restarts after a park";
  EXPECT_EQ(adaptive.after_failed_poll(), fb::Backoff::Next::retry) << "spins again after a park";
  // A long budget keeps spinning, and says for how long.
  fb::Backoff patient(WaitPolicy::adaptive, fb::WaitTuning{1'000'000'000, 0});
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(patient.after_failed_poll(), fb::Backoff::Next::retry);
  EXPECT_TRUE(patient.spinning());
  EXPECT_GT(patient.spun_ns(), 0);
  patient.skip_to_park();
  EXPECT_EQ(patient.after_failed_poll(), fb::Backoff::Next::park);

  fb::Backoff park(WaitPolicy::park, tuning);
  EXPECT_EQ(park.after_failed_poll(), fb::Backoff::Next::park);
  fb::Backoff spin(WaitPolicy::spin, tuning), yield(WaitPolicy::yield, tuning);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(spin.after_failed_poll(), fb::Backoff::Next::retry);
    EXPECT_EQ(yield.after_failed_poll(), fb::Backoff::Next::retry);
  }
}

TEST(EventCount, NotifyWithoutWaitersMakesNoSyscall) {
  fb::EventCount ec;
  for (int i = 0; i < 1000; ++i) ec.notify_one();
  EXPECT_EQ(ec.wake_calls(), 0u);
  const auto key = ec.prepare_wait();
  EXPECT_EQ(ec.waiters(), 1u);
  ec.notify_one();  // counts as a wake-up: a waiter announced itself
  EXPECT_EQ(ec.wake_calls(), 1u);
  ec.wait(key);  // returns at once: the epoch moved since `key`
  EXPECT_EQ(ec.waiters(), 0u);
}

TEST(EventCount, WakesASleeper) {
  fb::EventCount ec;
  std::atomic<bool> flag{false};
  std::thread sleeper([&] {
    while (!flag.load(std::memory_order_acquire)) {
      const auto key = ec.prepare_wait();
      if (flag.load(std::memory_order_acquire)) {
        ec.cancel_wait();
        break;
      }
      ec.wait(key);
    }
  });
  ASSERT_TRUE(eventually([&] { return ec.waiters() == 1; }));
  flag.store(true, std::memory_order_release);
  ec.notify_one();
  sleeper.join();
  EXPECT_EQ(ec.waiters(), 0u);
}

class LockFreeQueuePolicy : public ::testing::TestWithParam<WaitPolicy> {};

TEST_P(LockFreeQueuePolicy, PopReturnsFalseOnceClosedAndDrained) {
  LockFreeQueue q(8, GetParam());
  for (std::uintptr_t i = 1; i <= 5; ++i) q.push(task_of(i));
  q.close();
  Task t;
  for (std::uintptr_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(q.pop(t)) << "closing does not drop queued tasks";
    EXPECT_EQ(number_of(t), i);
  }
  EXPECT_FALSE(q.pop(t));
  EXPECT_FALSE(q.pop(t));
}

TEST_P(LockFreeQueuePolicy, CloseWakesEveryWaitingWorker) {
  LockFreeQueue q(8, GetParam());
  IdleWorkers workers(q, 3);
  if (GetParam() == WaitPolicy::park || GetParam() == WaitPolicy::adaptive) {
    ASSERT_TRUE(eventually([&] { return q.parked_workers() == 3; })) << "idle workers park";
  } else {
    // 30 ms of CPU among three workers: each has been polling the empty queue, not asleep.
    ASSERT_TRUE(workers.busy_for(30ms)) << "spin and yield workers use CPU while idle";
    EXPECT_EQ(q.parked_workers(), 0u) << "spin and yield never park";
  }
  q.close();
  workers.join();  // returns only if close() woke or stopped every worker
  EXPECT_EQ(q.parked_workers(), 0u);
}

TEST_P(LockFreeQueuePolicy, ParkedWorkerIsWokenByAPush) {
  LockFreeQueue q(8, GetParam());
  std::atomic<std::uintptr_t> got{0};
  std::thread worker([&] {
    Task t;
    while (q.pop(t)) got.store(number_of(t));
  });
  if (GetParam() == WaitPolicy::park || GetParam() == WaitPolicy::adaptive) {
    ASSERT_TRUE(eventually([&] { return q.parked_workers() == 1; }));
  }
  q.push(task_of(42));
  EXPECT_TRUE(eventually([&] { return got.load() == 42; }));
  q.close();
  worker.join();
}

// Producers make a FUTEX_WAKE only when a worker is parked: none for spin/yield ever, none
// while a worker is busy, and at most one per push otherwise.
TEST_P(LockFreeQueuePolicy, WakeSyscallsOnlyForParkedWorkers) {
  LockFreeQueue q(1024, GetParam());
  for (std::uintptr_t i = 1; i <= 500; ++i) q.push(task_of(i));
  EXPECT_EQ(q.wake_calls(), 0u) << "nobody was parked";
  std::atomic<int> popped{0};
  std::thread worker([&] {
    Task t;
    while (q.pop(t)) popped.fetch_add(1);
  });
  ASSERT_TRUE(eventually([&] { return popped.load() == 500; }));
  const bool parks = GetParam() == WaitPolicy::park || GetParam() == WaitPolicy::adaptive;
  if (parks) {
    ASSERT_TRUE(eventually([&] { return q.parked_workers() == 1; }));
  }
  q.push(task_of(501));
  ASSERT_TRUE(eventually([&] { return popped.load() == 501; }));
  EXPECT_EQ(q.wake_calls(), parks ? 1u : 0u);
  q.close();
  worker.join();
}

// A full ring applies backpressure: the producer waits, nothing is dropped or reordered.
TEST_P(LockFreeQueuePolicy, FullRingMakesTheProducerWait) {
  LockFreeQueue q(2, GetParam());
  constexpr std::uintptr_t kTasks = 2000;
  std::vector<std::uintptr_t> got;
  got.reserve(kTasks);
  std::thread worker([&] {
    Task t;
    while (q.pop(t)) {
      got.push_back(number_of(t));
      if (got.size() % 100 == 0) std::this_thread::sleep_for(200us);  // a slow worker
    }
  });
  for (std::uintptr_t i = 1; i <= kTasks; ++i) q.push(task_of(i));
  q.close();
  worker.join();
  ASSERT_EQ(got.size(), kTasks);
  for (std::uintptr_t i = 0; i < kTasks; ++i) ASSERT_EQ(got[i], i + 1);
}

INSTANTIATE_TEST_SUITE_P(Policies, LockFreeQueuePolicy, ::testing::ValuesIn(kPolicies),
                         [](const auto& param_info) { return std::string(fb::wait_policy_name(param_info.param)); });

// adaptive: only max_spinners() idle workers spin; the others park at once, even with an
// endless spin budget.
TEST(LockFreeQueue, AdaptiveCapsTheSpinningWorkers) {
  LockFreeQueue q(8, WaitPolicy::adaptive, fb::WaitTuning{2'000'000'000, 0});
  const std::uint32_t workers = q.max_spinners() + 2;
  EXPECT_GE(q.max_spinners(), 1u);
  IdleWorkers threads(q, workers);
  EXPECT_TRUE(eventually([&] { return q.parked_workers() == workers - q.max_spinners(); }));
  // Only the spinners use CPU now: 20 ms of it later, they are still spinning, none parked.
  ASSERT_TRUE(threads.busy_for(20ms)) << "no worker is spinning";
  EXPECT_EQ(q.parked_workers(), workers - q.max_spinners()) << "the spinners keep spinning";
  q.close();
  threads.join();
}

// adaptive: spins that never catch anything shrink the spin budget toward its floor.
TEST(LockFreeQueue, AdaptiveSpinBudgetShrinksWhenSpinningDoesNotPay) {
  LockFreeQueue q(8, WaitPolicy::adaptive);
  const std::uint32_t start = q.spin_budget_ns();
  EXPECT_EQ(start, fb::WaitTuning{}.spin_ns);
  std::atomic<int> popped{0};
  std::thread worker([&] {
    Task t;
    while (q.pop(t)) popped.fetch_add(1);
  });
  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(eventually([&] { return q.parked_workers() == 1; }));  // its spin ran out
    q.push(task_of(static_cast<std::uintptr_t>(i)));
    ASSERT_TRUE(eventually([&] { return popped.load() == i; }));
  }
  ASSERT_TRUE(eventually([&] { return q.parked_workers() == 1; }));
  EXPECT_LT(q.spin_budget_ns(), start / 4);
  EXPECT_GE(q.spin_budget_ns(), LockFreeQueue::kMinSpinNs);
  q.close();
  worker.join();
}

TEST(LockFreeQueue, PushAfterCloseOnAFullRingThrows) {
  LockFreeQueue q(2, WaitPolicy::park);
  q.push(task_of(1));
  q.push(task_of(2));
  q.close();
  EXPECT_THROW(q.push(task_of(3)), std::logic_error);
}

TEST(LockFreeQueue, ProducerParkedOnAFullRingIsWokenByAPopAndByClose) {
  LockFreeQueue q(2, WaitPolicy::park);
  q.push(task_of(1));
  q.push(task_of(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(task_of(3));  // parks: the ring is full
    pushed = true;
  });
  ASSERT_TRUE(eventually([&] { return q.parked_producers() == 1; }));
  EXPECT_FALSE(pushed.load());
  Task t;
  ASSERT_TRUE(q.pop(t));  // frees a cell and wakes the producer
  producer.join();
  EXPECT_TRUE(pushed.load());
  EXPECT_EQ(q.parked_producers(), 0u);

  std::atomic<bool> threw{false};
  std::thread late([&] {
    try {
      q.push(task_of(4));  // parks again: 2 and 3 fill the ring
    } catch (const std::logic_error&) {
      threw = true;
    }
  });
  ASSERT_TRUE(eventually([&] { return q.parked_producers() == 1; }));
  q.close();
  late.join();
  EXPECT_TRUE(threw.load()) << "close() wakes a producer parked on a full ring, which then gives up";
}

TEST(LockFreeQueue, CapacityAndDefaults) {
  LockFreeQueue q;
  EXPECT_EQ(q.capacity(), LockFreeQueue::kDefaultCapacity);
  EXPECT_EQ(q.policy(), WaitPolicy::adaptive);
}

TEST(MakeTaskQueue, LockfreeSwitchSelectsTheRing) {
  fb::OptimizationSet opts;
  EXPECT_NE(dynamic_cast<fb::MutexQueue*>(fb::make_task_queue(opts).get()), nullptr);
  opts.lockfree = true;
  auto q = fb::make_task_queue(opts, WaitPolicy::spin);
  auto* ring = dynamic_cast<LockFreeQueue*>(q.get());
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->policy(), WaitPolicy::spin);
  EXPECT_EQ(fb::unavailable_reason(fb::Optimization::lockfree), "");
}

}  // namespace
