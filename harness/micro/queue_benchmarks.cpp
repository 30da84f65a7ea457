// Executor queues side by side (optimization #2): the lock-free ring (LockFreeQueue, by wait
// policy), the baseline mutex + condvar queue (MutexQueue), moodycamel's
// BlockingConcurrentQueue and boost::lockfree::queue, all carrying the executor's Task.
//
//   fasterbench-micro --benchmark_filter=Queue
//
// Three measurements, each for 1 and 2 producers into 1 consumer (1P1C, 2P1C):
//   BM_QueueThroughput/<impl>/producers:P  P producers push batches of kBatch tasks as fast
//       as the queue takes them; one consumer pops. items_per_second is the figure.
//   BM_QueueRoundTrip/<impl>/producers:P   ping-pong: the benchmark thread pushes one task
//       and waits for its reply, which an echo consumer pushes back through a second queue
//       of the same kind (one per pinger). Time per iteration = one round trip = two
//       hand-offs, each including the wake-up of a waiting thread when the queue parks;
//       counter per_handoff = round trip / 2. With P = 2 a second pinger runs the same
//       exchange concurrently on the shared queue.
//   BM_QueueParkedWakeup/<impl>          the consumer is asleep (the test waits until it
//       is); time from the push to the consumer returning from pop (manual time), plus the
//       producer's own push cost (counter push_ns: the FUTEX_WAKE system call is in it).
//
// How each implementation waits when empty (that is part of what is measured):
//   LockFree_adaptive  spin (pause) -> yield -> park on a futex (the executor default);
//   LockFree_spin / LockFree_park  the two extremes of the same queue;
//   Mutex              condition_variable::wait (futex), notify_one per push;
//   Moodycamel         BlockingConcurrentQueue: lightweight semaphore, ~10^4 spins, then sleep;
//   BoostLockfree      boost::lockfree::queue has no blocking pop: poll with pause, then
//                      sched_yield, never sleeps (an idle worker keeps a CPU busy).
// On 2 vCPUs, 2P1C runs three threads on two CPUs: policies that never sleep pay for it.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "framework/dispatch/mutex_queue.h"
#include "framework/dispatch/task.h"
#include "framework/dispatch/wait_strategy.h"
#if FASTERBENCH_HAVE_LOCKFREE
#include "framework/dispatch/lockfree_queue.h"
#endif
#if FB_HAVE_MOODYCAMEL
#include <concurrentqueue/blockingconcurrentqueue.h>
#endif
#if FB_HAVE_BOOST_LOCKFREE
#include <boost/lockfree/queue.hpp>
#endif

namespace {

using fb::Task;

constexpr std::size_t kCapacity = 1024;         // ring capacity, as the executor's
constexpr std::int64_t kBatch = 1 << 15;        // tasks per throughput iteration
constexpr unsigned kPingerShift = 40;           // task number = pinger << 40 | round
constexpr std::uint64_t kStop = ~std::uint64_t{0};  // sentinel that ends a consumer

Task task_of(std::uint64_t n) { return Task{reinterpret_cast<fb::RequestContext*>(static_cast<std::uintptr_t>(n))}; }
std::uint64_t number_of(const Task& t) { return reinterpret_cast<std::uintptr_t>(t.context); }

// ---- adapters: push(Task) never drops, pop(Task&) blocks (as the implementation waits) ----

#if FASTERBENCH_HAVE_LOCKFREE
template <fb::WaitPolicy Policy>
struct LockFreeAdapter {
  fb::LockFreeQueue q{kCapacity, Policy};
  void push(Task t) { q.push(t); }
  void pop(Task& t) { q.pop(t); }
  std::uint32_t parked() const { return q.parked_workers(); }
};
using LockFree_adaptive = LockFreeAdapter<fb::WaitPolicy::adaptive>;
using LockFree_spin = LockFreeAdapter<fb::WaitPolicy::spin>;
using LockFree_park = LockFreeAdapter<fb::WaitPolicy::park>;
#endif

struct Mutex {
  fb::MutexQueue q;
  void push(Task t) { q.push(t); }
  void pop(Task& t) { q.pop(t); }
};

#if FB_HAVE_MOODYCAMEL
struct Moodycamel {
  moodycamel::BlockingConcurrentQueue<Task> q{kCapacity};
  void push(Task t) { q.enqueue(t); }  // may grow: moodycamel is unbounded by default
  void pop(Task& t) { q.wait_dequeue(t); }
};
#endif

#if FB_HAVE_BOOST_LOCKFREE
struct BoostLockfree {
  boost::lockfree::queue<Task, boost::lockfree::capacity<kCapacity>> q;
  void push(Task t) {
    fb::Backoff backoff(fb::WaitPolicy::yield);
    for (std::uint32_t i = 0; !q.bounded_push(t); ++i) {
      if (i < 128) fb::cpu_relax(); else backoff.after_failed_poll();
    }
  }
  void pop(Task& t) {
    fb::Backoff backoff(fb::WaitPolicy::yield);
    for (std::uint32_t i = 0; !q.pop(t); ++i) {
      if (i < 128) fb::cpu_relax(); else backoff.after_failed_poll();
    }
  }
};
#endif

// Waits for a flag set by another thread without stealing its CPU for long.
template <typename Pred>
void wait_for(Pred pred) {
  for (std::uint32_t i = 0; !pred(); ++i) {
    if (i < 64) fb::cpu_relax(); else std::this_thread::yield();
  }
}

// ---- throughput ---------------------------------------------------------------------------

template <typename Q>
void BM_QueueThroughput(benchmark::State& state) {
  const auto producers = static_cast<int>(state.range(0));
  Q queue;
  std::atomic<std::int64_t> consumed{0};
  std::thread consumer([&] {
    Task t;
    for (;;) {
      queue.pop(t);
      if (number_of(t) == kStop) return;
      // The only writer: a plain store, no locked RMW per task.
      consumed.store(consumed.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }
  });
  // Helpers push their share of each batch when `round` moves; the benchmark thread pushes
  // the first share itself.
  std::atomic<std::int64_t> round{0};
  std::vector<std::thread> helpers;
  const std::int64_t share = kBatch / producers;
  for (int p = 1; p < producers; ++p) {
    helpers.emplace_back([&] {
      for (std::int64_t seen = 0;;) {
        round.wait(seen, std::memory_order_acquire);
        seen = round.load(std::memory_order_acquire);
        if (seen < 0) return;
        for (std::int64_t i = 0; i < share; ++i) queue.push(task_of(static_cast<std::uint64_t>(i) + 1));
      }
    });
  }
  std::int64_t target = 0;
  for (auto _ : state) {
    target += share * producers;
    round.fetch_add(1, std::memory_order_release);
    round.notify_all();
    for (std::int64_t i = 0; i < share; ++i) queue.push(task_of(static_cast<std::uint64_t>(i) + 1));
    wait_for([&] { return consumed.load(std::memory_order_acquire) == target; });
  }
  round.store(-1, std::memory_order_release);
  round.notify_all();
  for (auto& h : helpers) h.join();
  queue.push(task_of(kStop));
  consumer.join();
  state.SetItemsProcessed(target);
}

// ---- round trip ---------------------------------------------------------------------------

template <typename Q>
void BM_QueueRoundTrip(benchmark::State& state) {
  const auto pingers = static_cast<int>(state.range(0));
  Q requests;
  std::vector<std::unique_ptr<Q>> replies;
  for (int i = 0; i < pingers; ++i) replies.push_back(std::make_unique<Q>());
  std::thread echo([&] {
    Task t;
    for (;;) {
      requests.pop(t);
      const std::uint64_t n = number_of(t);
      if (n == kStop) return;
      replies[n >> kPingerShift]->push(t);
    }
  });
  // The second pinger (2P1C) keeps the same exchange going until told to stop.
  std::atomic<bool> stop{false};
  std::vector<std::thread> others;
  for (int p = 1; p < pingers; ++p) {
    others.emplace_back([&, p] {
      Task t;
      const std::uint64_t tag = static_cast<std::uint64_t>(p) << kPingerShift;
      for (std::uint64_t r = 1; !stop.load(std::memory_order_relaxed); ++r) {
        requests.push(task_of(tag | r));
        replies[static_cast<std::size_t>(p)]->pop(t);
      }
    });
  }
  Task t;
  std::uint64_t r = 0;
  for (auto _ : state) {
    requests.push(task_of(++r));
    replies[0]->pop(t);
  }
  stop.store(true);
  for (auto& o : others) o.join();
  requests.push(task_of(kStop));
  echo.join();
  state.counters["per_handoff"] =
      benchmark::Counter(2.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// ---- wake-up of a parked consumer ---------------------------------------------------------

template <typename Q>
void BM_QueueParkedWakeup(benchmark::State& state) {
  using clock = std::chrono::steady_clock;
  Q queue;
  std::atomic<std::int64_t> woke_at{0};  // steady_clock ticks when pop returned; 0: not yet
  std::thread consumer([&] {
    Task t;
    for (;;) {
      queue.pop(t);
      const std::int64_t now = clock::now().time_since_epoch().count();
      if (number_of(t) == kStop) return;
      woke_at.store(now, std::memory_order_release);
      woke_at.notify_one();  // after the stamp: not part of the measured latency
    }
  });
  double push_ns = 0;
  for (auto _ : state) {
    // Let the consumer fall asleep: it must be parked, not spinning, when the push comes.
    if constexpr (requires(Q q) { q.parked(); }) {
      wait_for([&] { return queue.parked() == 1; });
    }
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // past every spin phase
    woke_at.store(0, std::memory_order_relaxed);
    const auto t0 = clock::now();
    queue.push(task_of(1));
    const auto t1 = clock::now();
    // Sleep, not spin: a spinning benchmark thread would compete with the consumer it
    // measures for the two CPUs.
    woke_at.wait(0, std::memory_order_acquire);
    const std::int64_t woke = woke_at.load(std::memory_order_acquire);
    push_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
    state.SetIterationTime(std::chrono::duration<double>(clock::duration(woke) - t0.time_since_epoch()).count());
  }
  queue.push(task_of(kStop));
  consumer.join();
  state.counters["push_ns"] = push_ns / static_cast<double>(state.iterations());
}

// ---- registration -------------------------------------------------------------------------

template <typename Q>
void register_queue(const std::string& name, bool parks) {
  benchmark::RegisterBenchmark(("BM_QueueThroughput/" + name).c_str(), BM_QueueThroughput<Q>)
      ->ArgName("producers")->Arg(1)->Arg(2)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_QueueRoundTrip/" + name).c_str(), BM_QueueRoundTrip<Q>)
      ->ArgName("producers")->Arg(1)->Arg(2)->UseRealTime();
  if (parks) {
    benchmark::RegisterBenchmark(("BM_QueueParkedWakeup/" + name).c_str(), BM_QueueParkedWakeup<Q>)
        ->UseManualTime()->Iterations(1000);
  }
}

[[maybe_unused]] const bool registered = [] {
#if FASTERBENCH_HAVE_LOCKFREE
  register_queue<LockFree_adaptive>("LockFree_adaptive", true);
  register_queue<LockFree_spin>("LockFree_spin", false);
  register_queue<LockFree_park>("LockFree_park", true);
#endif
  register_queue<Mutex>("Mutex", true);
#if FB_HAVE_MOODYCAMEL
  register_queue<Moodycamel>("Moodycamel", true);
#endif
#if FB_HAVE_BOOST_LOCKFREE
  register_queue<BoostLockfree>("BoostLockfree", false);
#endif
  return true;
}();

}  // namespace
