// Completion slots, set -> get: the inline future (#4) against the baseline heap future and
// std::promise/std::future, all carrying the pipeline's Response.
//
//   BM_SameThread<Slot>: create, set, get, destroy on one thread (the direct path's shape).
//   BM_CrossThread<Slot>/delay_ns: the benchmark thread creates a slot and posts it through a
//     spin-polled mailbox to a producer thread, which works `delay_ns` (busy) and then sets it;
//     the benchmark thread waits in get(). The delay decides whether the consumer is still
//     spinning or already parked when the value arrives. Counters: set_to_get_p50_ns /
//     set_to_get_mean_ns = producer starts set() -> consumer holds the value (the `future`
//     stage's second half); allocs_per_op = C++ operator new calls per round trip, all threads.
// Variants: Inline (the default: park at once), InlineSpin (spin up to 20 µs, then park), Heap
// (mutex + condvar + make_shared), Std,
// and AtomicWait: Inline's protocol parked with std::atomic::wait/notify_one instead of
// a raw futex - the evidence for InlineFuture's choice (see its header comment).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "framework/future/heap_future.h"
#include "framework/future/inline_future.h"
#include "framework/http.h"
#include "probes/alloc_counter.h"
#include "probes/clock.h"
#include "probes/histogram.h"

namespace {

using namespace std::chrono_literals;
using fb::Response;

Response hello() { return Response{200, "application/octet-stream", "Hello, World!"}; }

struct InlineSlot {
  fb::InlineFuture<Response> slot;
  void set(Response&& r) { slot.set_value(std::move(r)); }
  Response get() { return slot.get(); }
};

struct InlineSpinSlot {
  fb::InlineFuture<Response> slot;
  void set(Response&& r) { slot.set_value(std::move(r)); }
  Response get() { return slot.get(20us); }
};

// Producers take their promise out of the shared struct before setting it (as App::run_task
// does): the consumer may destroy the struct as soon as get() returns.
struct HeapSlot {
  fb::HeapPromise promise;
  fb::HeapFuture future;
  HeapSlot() {
    auto [p, f] = fb::make_heap_future();
    promise = std::move(p);
    future = std::move(f);
  }
  void set(Response&& r) {
    fb::HeapPromise p = std::move(promise);
    p.set_value(std::move(r));
  }
  Response get() { return future.get(); }
};

struct StdSlot {
  std::promise<Response> promise;
  std::future<Response> future = promise.get_future();
  void set(Response&& r) {
    std::promise<Response> p = std::move(promise);
    p.set_value(std::move(r));
  }
  Response get() { return future.get(); }
};

// The same EMPTY/PARKED/READY protocol on std::atomic<uint32_t>::wait/notify_one (libstdc++).
// The notify follows the publishing store, so in general it names an atomic the consumer may
// have destroyed; here the next job reuses the same stack address, so a late notify is only a
// spurious wake-up. Benchmark only.
struct AtomicWaitSlot {
  std::atomic<std::uint32_t> state{0};  // 0 empty, 1 parked, 2 ready
  std::optional<Response> value;
  void set(Response&& r) {
    value.emplace(std::move(r));
    if (state.exchange(2, std::memory_order_release) == 1) state.notify_one();
  }
  Response get() {
    std::uint32_t s = 0;
    if (state.compare_exchange_strong(s, 1, std::memory_order_relaxed, std::memory_order_acquire)) s = 1;
    while (s == 1) {
      state.wait(1, std::memory_order_relaxed);
      s = state.load(std::memory_order_acquire);
    }
    return std::move(*value);
  }
};

template <typename Slot>
void BM_SameThread(benchmark::State& state) {
  const auto before = fb::probes::this_thread_alloc_totals();
  for (auto _ : state) {
    Slot s;
    s.set(hello());
    Response r = s.get();
    benchmark::DoNotOptimize(r.body.data());
  }
  const auto d = before.until(fb::probes::this_thread_alloc_totals());
  state.counters["allocs_per_op"] = benchmark::Counter(static_cast<double>(d.allocations[fb::probes::kAllocOutside]),
                                                       benchmark::Counter::kAvgIterations);
}
#if FASTERBENCH_HAVE_INLINE_FUTURE
BENCHMARK(BM_SameThread<InlineSlot>)->Name("BM_SameThread/Inline");
#endif
BENCHMARK(BM_SameThread<HeapSlot>)->Name("BM_SameThread/Heap");
BENCHMARK(BM_SameThread<StdSlot>)->Name("BM_SameThread/Std");

template <typename Slot>
struct Job {
  Slot slot;
  fb::probes::Ticks set_at = 0;  // written by the producer before set(); read after get()
};

void busy_wait_ns(std::int64_t ns) {
  if (ns <= 0) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
  while (std::chrono::steady_clock::now() < until) fb::detail::cpu_relax();
}

template <typename Slot>
void BM_CrossThread(benchmark::State& state) {
  const std::int64_t delay_ns = state.range(0);
  std::atomic<Job<Slot>*> mailbox{nullptr};
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      Job<Slot>* job = mailbox.exchange(nullptr, std::memory_order_acquire);
      if (job == nullptr) {
        fb::detail::cpu_relax();
        continue;
      }
      busy_wait_ns(delay_ns);
      Response r = hello();
      job->set_at = fb::probes::now_ticks();
      job->slot.set(std::move(r));  // the producer's last touch of the job
    }
  });
  fb::probes::Histogram set_to_get;
  const auto& clock = fb::probes::clock_calibration();
  const auto before = fb::probes::alloc_totals();
  for (auto _ : state) {
    Job<Slot> job;
    mailbox.store(&job, std::memory_order_release);
    Response r = job.slot.get();
    const fb::probes::Ticks observed = fb::probes::now_ticks();
    benchmark::DoNotOptimize(r.body.data());
    set_to_get.record(observed > job.set_at ? clock.to_ns(observed - job.set_at) : 0);
  }
  const auto d = before.until(fb::probes::alloc_totals());
  stop.store(true);
  producer.join();
  state.counters["set_to_get_p50_ns"] = static_cast<double>(set_to_get.value_at_percentile(50));
  state.counters["set_to_get_p99_ns"] = static_cast<double>(set_to_get.value_at_percentile(99));
  state.counters["set_to_get_mean_ns"] = set_to_get.mean();
  state.counters["allocs_per_op"] = benchmark::Counter(static_cast<double>(d.allocations[fb::probes::kAllocOutside]),
                                                       benchmark::Counter::kAvgIterations);
}

// Delays: 0 (consumer still spinning, or just parked on the baselines), 5 µs (a short handler),
// 50 µs (longer than the inline spin budget: every consumer parks).
#define FB_CROSS(SLOT, NAME) \
  BENCHMARK(BM_CrossThread<SLOT>)->Name("BM_CrossThread/" NAME)->ArgName("delay_ns")->Arg(0)->Arg(5000)->Arg(50000)->UseRealTime()
#if FASTERBENCH_HAVE_INLINE_FUTURE
FB_CROSS(InlineSlot, "Inline");
FB_CROSS(InlineSpinSlot, "InlineSpin");
#endif
FB_CROSS(HeapSlot, "Heap");
FB_CROSS(StdSlot, "Std");
FB_CROSS(AtomicWaitSlot, "AtomicWait");
#undef FB_CROSS

}  // namespace
