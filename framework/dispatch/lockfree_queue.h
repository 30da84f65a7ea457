// LockFreeQueue: the executor queue of optimization #2 (`--opt lockfree`, phase P2 and up).
// A BoundedMpmcRing<Task> (bounded_mpmc_ring.h) behind the TaskQueue interface, with the
// wait strategy of wait_strategy.h: consumers (workers) spin, yield and park as the policy
// says; producers (request threads) make a wake-up system call only when a worker is
// actually parked.
//
// GUARANTEE
//   Every pushed task is popped exactly once; nothing is dropped (a full ring makes push
//   wait). FIFO per producer; strict FIFO with one worker (the ring's claim order). Not
//   linearizable: see the ring's header. pop() returns false only after close(), once the
//   ring is drained.
//
// ALGORITHM
//   push: ring.try_push; if the ring is full, wait by the policy (spin, yield, park on
//         not_full_; adaptive parks at once: the workers are behind and need the CPUs) and
//         retry. Then, for the park and adaptive policies,
//         not_empty_.notify_one(): a fence and one load of the parked-worker count; a
//         FUTEX_WAKE only if it is non-zero.
//   pop:  ring.try_pop; on failure the Backoff of the policy runs; when it says park:
//         prepare_wait (announce), try_pop again (the re-check of the event count recipe),
//         check closed_, else sleep; after a wake, poll again. A worker that wakes and finds
//         more work behind the task it took wakes one more parked worker (wake chaining):
//         several tasks published while all workers slept are not left to one worker.
//         adaptive: at most max_spinners() idle workers (half the CPUs, at least one) spin
//         and yield at a time; the others park at their first failed poll. Idle workers
//         that all spin would hold every CPU of a small machine while the producers they
//         wait for cannot run (the Go scheduler limits its spinning threads the same way).
//         And the spin budget adapts: a spin that catches a task after t ns pulls it toward
//         2t; a spin that ends without a catch, or catches only after a preemption (more
//         wall time than the budget), pulls it toward kMinSpinNs (moving average, weight
//         1/4); the yields scale with it. When work arrives in short gaps the workers keep
//         catching it spinning; when gaps are longer than the spin, or the machine is
//         oversubscribed so that the spinner shares a CPU with the thread it waits for,
//         they soon park almost at once, as the park policy does.
//   pop, after taking a task (park and adaptive): the same fence and load on not_full_, for
//         producers parked on a full ring; they are woken, all, when the ring has drained
//         to half (a low-water mark that stops them parking again at every freed cell).
//   No lost wake-up: the event count argument in wait_strategy.h, with "condition" = the
//   head cell published (its release store of seq happens before the notifier's fence N)
//   or closed_ set (close() stores it before notify_all's fence). A worker sleeps only if
//   its re-check found the head cell unpublished; the producer of that cell then publishes
//   after the worker's fence W and therefore sees it parked and wakes a worker. Producers
//   parked on a full ring: the same argument with "the tail cell released by its worker",
//   plus the low-water mark: a producer parks only on a full ring, every pop after its
//   fence W sees it, and the workers keep popping until the ring is empty (they park only
//   then), so one of those pops finds the ring at half or below and wakes it.
//
// EVIDENCE (fasterbench-micro --benchmark_filter=Queue --benchmark_repetitions=5
//   --benchmark_min_time=0.3 --benchmark_enable_random_interleaving=true, run at nice -20;
//   method in harness/micro/queue_benchmarks.cpp). 2 vCPU AMD EPYC VM (Zen 2, 2.45 GHz)
//   shared with other builds: load average ~10 during the run, coefficients of variation
//   10-220 %. Medians; hand-off = round trip / 2; wake-up = push to pop return, consumer parked.
//                          hand-off 1P1C  hand-off 2P1C  items/s 1P1C  items/s 2P1C  wake-up
//     LockFree adaptive        8.6 us        15.6 us        14.7 M        4.4 M      10.9 us
//     LockFree park            5.5 us        30.9 us        19.2 M        5.4 M       7.2 us
//     LockFree spin            1.2 us        12 ms           0.2 M        0.05 M        -
//     mutex + condvar          6.9 us        60.8 us        11.0 M       11.1 M      16.7 us
//     moodycamel (blocking)   26.5 us        25.1 us        13.6 M       10.6 M       7.1 us
//     boost::lockfree (poll)  14.7 us        23.0 us         4.8 M        9.4 M        -
//   Read: on an oversubscribed 2-vCPU machine nearly every hand-off is a futex wake-up, so
//   the queues land within noise of each other; only a consumer spinning on its own CPU
//   hands off in ~1 us (spin, 1P1C), and spinning collapses as soon as threads outnumber
//   CPUs (spin, 2P1C). The bounded ring loses 2P1C throughput to the unbounded queues: a
//   full ring makes producers park (backpressure), theirs never does.
//
// SHARP EDGES
//   - BOUNDED: capacity (default 1024) is fixed at construction; A FULL RING BLOCKS push
//     (backpressure, by the wait policy). Size it above the number of tasks that can be in
//     flight (the closed-loop harness: one per client).
//   - WITH park AND adaptive EVERY push AND EVERY pop PAYS ONE FULL FENCE (mfence) to look
//     for parked threads on the other side; spin and yield pay none.
//   - NO FAIRNESS AMONG PRODUCERS ON A FULL RING: a parked producer is woken when the ring
//     has drained to half; under sustained overload, producers that did not park may keep
//     it above that and overtake it. (The executor's producers each wait for their own
//     request, so they cannot keep a ring full on their own.)
//   - PUSH AFTER close() IS A CONTRACT VIOLATION. It succeeds while there is room (and the
//     task may never be popped); if the ring is full it throws std::logic_error rather than
//     wait forever for consumers that have left (close() wakes parked producers for that).
//   - THE spin AND yield POLICIES NEVER SLEEP: each idle worker keeps a CPU busy.
//   - A PRODUCER PREEMPTED INSIDE push HOLDS BACK EVERY WORKER at its cell (the ring's
//     publication is not lock-free); they wait by the policy, then park, and its notify
//     wakes them when it resumes.
//
// SHUTDOWN RECIPE
//   1. Stop producers (the executor: all submit() calls have returned).
//   2. close(): sets closed_ and wakes every parked worker.
//   3. Workers drain what is left (pop keeps returning tasks), get false, and exit; join them.
//   4. Destroy the queue.
#pragma once

#if FASTERBENCH_HAVE_LOCKFREE

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "framework/dispatch/bounded_mpmc_ring.h"
#include "framework/dispatch/task_queue.h"
#include "framework/dispatch/wait_strategy.h"

namespace fb {

class LockFreeQueue final : public TaskQueue {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;

  explicit LockFreeQueue(std::size_t capacity = kDefaultCapacity, WaitPolicy policy = kDefaultWaitPolicy,
                         WaitTuning tuning = {});

  void push(Task task) override;
  bool pop(Task& out) override;
  void close() override;

  WaitPolicy policy() const noexcept { return policy_; }
  std::size_t capacity() const noexcept { return ring_.capacity(); }
  // Workers between announcing a sleep and waking (for tests and benchmarks).
  std::uint32_t parked_workers() const noexcept { return not_empty_.waiters(); }
  // Producers parked on a full ring (for tests).
  std::uint32_t parked_producers() const noexcept { return not_full_.waiters(); }
  // FUTEX_WAKE calls made so far by push and close.
  std::uint64_t wake_calls() const noexcept { return not_empty_.wake_calls(); }
  // adaptive: idle workers allowed in the spin/yield phase at once (the rest park at once).
  std::uint32_t max_spinners() const noexcept { return max_spinners_; }
  // adaptive: how long an idle worker spins now, in ns (between kMinSpinNs and
  // WaitTuning::spin_ns), learnt from what spinning has caught.
  std::uint32_t spin_budget_ns() const noexcept { return spin_budget_.load(std::memory_order_relaxed); }
  static constexpr std::uint32_t kMinSpinNs = 500;  // the floor of the budget: ~18 polls

 private:
  void wait_until_pushed(Task& task);
  bool pop_slow(Task& out);

  bool try_start_spinning() noexcept;
  void adapt_spin_budget(bool caught, std::int64_t spun_ns) noexcept;
  void stop_spinning() noexcept { spinners_.fetch_sub(1, std::memory_order_relaxed); }

  BoundedMpmcRing<Task> ring_;
  const WaitPolicy policy_;
  const WaitTuning tuning_;
  // adaptive: how many idle workers may spin (and yield) at once before parking; the others
  // park at once. Half the CPUs, at least one: spinning workers must leave CPUs to the
  // producers they are waiting for (on 2 vCPUs, two spinning workers would hold both).
  const std::uint32_t max_spinners_;
  // Whether threads park (park, adaptive): then push looks for parked workers and pop for
  // parked producers; spin and yield never park, so they skip both fences. Read-only.
  const bool may_park_;
  EventCount not_empty_;  // workers park here; producers and close() notify
  EventCount not_full_;   // producers park here on a full ring; workers and close() notify
  // Idle workers in their spin/yield phase (adaptive only). A heuristic, not a correctness
  // condition: CAS/RMW by workers entering and leaving the phase, all relaxed. Own line:
  // it changes at every idle period, and closed_ (polled by the spinners) must not share it.
  alignas(kFalseSharingRange) std::atomic<std::uint32_t> spinners_{0};
  // adaptive: the current spin budget (ns). Read by a worker when it goes idle, written
  // when its spin phase ends (relaxed load + store: a racy exponential moving average, a
  // heuristic; a lost update only delays the adaptation). Shares spinners_'s line: both
  // change only when a worker goes idle.
  std::atomic<std::uint32_t> spin_budget_;
  // Set once by close() (seq_cst store, then notify_all: the event count's notifier side).
  // Read by workers: acquire in the polling loop (// E), so tasks pushed before close()
  // are visible to the final drain; relaxed after prepare_wait (// F), ordered by fence W.
  alignas(kFalseSharingRange) std::atomic<bool> closed_{false};
};

}  // namespace fb

#endif  // FASTERBENCH_HAVE_LOCKFREE
