// How a thread waits for a lock-free queue: the policy (`--wait spin|yield|park|adaptive`),
// the phase machine of one wait (Backoff), and the parking primitive (EventCount) whose
// notify makes a system call only when a waiter is actually asleep.
//
// POLICIES (what a consumer does after a failed poll)
//   spin      pause instruction, poll again; never sleeps. Lowest hand-off latency while it
//             owns a CPU, and burns that CPU. On an oversubscribed machine (these VMs:
//             2 vCPUs for clients + workers) a spinner can hold the CPU its producer needs.
//   yield     sched_yield(), poll again; never sleeps. Gives the CPU to any runnable thread,
//             still 100 % busy when the machine is idle.
//   park      sleeps (futex) right after the first failed poll: the mutex+condvar behaviour
//             without the mutex. Every hand-off to an idle consumer pays a wake-up.
//   adaptive  (default) spin for up to WaitTuning::spin_ns of wall time, yield yield_polls
//             times, then park. Short gaps are caught spinning, long idle periods cost
//             nothing. (LockFreeQueue also caps how many workers spin at once and learns
//             how long spinning is worth it.)
//
// EventCount (the parking lot; after folly/synchronization/EventCount.h)
//   Waiter:   key = prepare_wait();           // announce: waiters_ += 1, then a full fence
//             if (condition holds now) { cancel_wait(); ... }   // re-check AFTER announcing
//             else wait(key);                 // sleeps unless the epoch moved since `key`
//   Notifier: make the condition true;        // e.g. publish a cell (a release store)
//             notify_one();                   // full fence, then one load of waiters_; only
//                                             // if it is non-zero: epoch_ += 1, FUTEX_WAKE,
//                                             // and withdraw the sleeper it woke from waiters_
//
// NO LOST WAKE-UP (the argument; tags refer to eventcount code in wait_strategy.cpp)
//   Let W be the waiter's seq_cst fence after its increment of waiters_ (// W) and N the
//   notifier's seq_cst fence after it made the condition true (// N). All seq_cst fences
//   are totally ordered ([atomics.fences]):
//   - N before W: the waiter's re-check, sequenced after W, sees the condition (a store
//     sequenced before N), so it does not sleep.
//   - W before N: the notifier's load of waiters_ (// L), sequenced after N, sees the
//     increment (sequenced before W), so it bumps the epoch and calls FUTEX_WAKE. The
//     waiter's `key` was read before W, so it is older than that bump: FUTEX_WAIT compares
//     the epoch with `key` atomically in the kernel and either returns at once (bump came
//     first) or is woken by the FUTEX_WAKE (bump came after the sleep began).
//   Either way a waiter never sleeps through a condition made true by a notifier that
//   skipped the wake-up. The cost on the fast path is one fence plus one load of a line
//   that stays shared-clean while nobody parks.
//
// SHARP EDGES
//   - THE WAITER MUST RE-CHECK ITS CONDITION BETWEEN prepare_wait() AND wait(); a waiter that
//     does not is the lost wake-up this class exists to prevent.
//   - EVERY prepare_wait() MUST BE FOLLOWED BY EXACTLY ONE OF cancel_wait() OR wait(), or
//     waiters_ stays high and every notify pays a system call from then on.
//   - notify_one() MAY WAKE MORE THAN ONE WAITER (spurious wake-ups are allowed: a waiter
//     whose key is stale returns at once). Callers loop.
//   - The epoch is 32 bits and wraps; a waiter would have to sleep through exactly 2^32
//     notifications for the wrap to hide one (the ABA of every futex-based event count).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "framework/dispatch/bounded_mpmc_ring.h"

namespace fb {

enum class WaitPolicy { spin, yield, park, adaptive };

// Every policy, in the order the CLI lists them; and the one a configuration gets by default.
inline constexpr std::array<WaitPolicy, 4> kWaitPolicies = {WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::park,
                                                            WaitPolicy::adaptive};
inline constexpr WaitPolicy kDefaultWaitPolicy = WaitPolicy::adaptive;

// "spin", "yield", "park", "adaptive": the CLI and results spelling.
std::string_view wait_policy_name(WaitPolicy policy);
std::optional<WaitPolicy> wait_policy_from_name(std::string_view name);
// What the policy does, in a few words for --help: "pause loop, never sleeps".
std::string_view wait_policy_summary(WaitPolicy policy);
// The names of kWaitPolicies, in order: the one list a command line validates --wait against.
std::vector<std::string> wait_policy_names();

// One spin-wait hint: PAUSE on x86 (lets the sibling hyper-thread run, saves power, avoids
// the memory-order mis-speculation flush when the polled line changes), YIELD on ARM.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// The adaptive policy's budget. The spin is bounded in wall time, not in polls, so that a
// spinner preempted mid-spin (an oversubscribed machine) does not count the time it was off
// the CPU as cheap spinning. 8 us is about what waking a parked thread costs on these VMs
// (BM_QueueParkedWakeup): the ski-rental break-even that bounds the loss of spin-then-sleep
// at twice the better choice. (One poll of an empty ring plus one PAUSE is ~28 ns here, Zen 2
// PAUSE being ~65 cycles, so that is ~300 polls.) A few yields then hand the CPU to a
// producer that shares it (2 vCPUs, 4+ threads in `fasterbench run`); only 4, because on a
// busy machine a yielding thread queues behind every runnable thread while a parked one is
// woken with the scheduler's sleeper credit. LockFreeQueue treats spin_ns as a ceiling and
// adapts the budget actually spent to what spinning has been catching.
struct WaitTuning {
  std::uint32_t spin_ns = 8000;   // spin (poll + cpu_relax()) for up to this long
  std::uint32_t yield_polls = 4;  // then poll with sched_yield() between, this many times
};

// The phase machine of one wait. Construct it when a wait starts, call after_failed_poll()
// after every failed poll; it pauses or yields before returning retry, or returns park when
// the policy says to go to sleep now (park: at once; adaptive: after its budget; spin and
// yield: never).
class Backoff {
 public:
  enum class Next { retry, park };

  explicit Backoff(WaitPolicy policy, const WaitTuning& tuning = {}) noexcept : policy_(policy), tuning_(tuning) {}

  Next after_failed_poll() noexcept;
  // adaptive: go straight to park at the next failed poll (the caller was refused a
  // spinning slot, see LockFreeQueue). No effect on the other policies.
  void skip_to_park() noexcept {
    phase_ = Phase::yield;
    yields_ = tuning_.yield_polls;
  }
  // adaptive: whether the current wait is still in its spin phase, and its wall time so far
  // (0 before the first failed poll). The phase restarts after each park.
  bool spinning() const noexcept { return phase_ == Phase::spin; }
  std::int64_t spun_ns() const noexcept;

 private:
  enum class Phase { spin, yield };
  // Clock reads are ~20-50 ns (vDSO) on these VMs: one per kClockEvery polls keeps the
  // overhead under ~10 % of a ~28 ns poll and the overshoot under ~0.5 us.
  static constexpr std::uint32_t kClockEvery = 16;

  WaitPolicy policy_;
  WaitTuning tuning_;
  Phase phase_ = Phase::spin;
  std::uint32_t polls_ = 0;   // failed polls in this spin phase
  std::uint32_t yields_ = 0;  // yields in this yield phase
  std::int64_t start_ns_ = 0; // steady_clock at the first failed poll of this spin phase
};

class EventCount {
 public:
  using Key = std::uint32_t;

  // Announce a coming sleep. Returns the key for wait(); see the recipe above.
  Key prepare_wait() noexcept;
  // Withdraw the announcement (the re-check found the condition true).
  void cancel_wait() noexcept;
  // Sleep until notified, unless a notify happened since prepare_wait(). May return
  // spuriously. Withdraws the announcement.
  void wait(Key key) noexcept;

  // Wake one sleeper if any announced itself; no system call otherwise.
  void notify_one() noexcept {
    if (has_waiters()) wake(false);
  }
  // Wake every sleeper (shutdown); always bumps the epoch.
  void notify_all() noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);  // N
    wake(true);
  }
  // The notifier's half split in two, for callers that decide on more than "anyone there?"
  // (LockFreeQueue's low-water mark): fence N, then whether anyone announced (load L); and
  // the wake-up itself, epoch bump and FUTEX_WAKE. A caller that gets true and does not
  // wake must be sure some later notifier will (see LockFreeQueue::pop).
  bool has_waiters() noexcept;
  void wake(bool all) noexcept;

  // Threads between prepare_wait() and the end of wait()/cancel_wait(). For tests.
  std::uint32_t waiters() const noexcept { return waiters_.load(std::memory_order_relaxed); }
  // How many FUTEX_WAKE calls notify made. For tests and benchmarks (relaxed counter,
  // incremented only on the slow path).
  std::uint64_t wake_calls() const noexcept { return wake_calls_.load(std::memory_order_relaxed); }

 private:
  // The futex word. Incremented (seq_cst RMW) by a notifier that saw waiters, read by
  // prepare_wait (relaxed: the fence W orders it) and compared by the kernel in FUTEX_WAIT.
  alignas(kFalseSharingRange) std::atomic<std::uint32_t> epoch_{0};
  // Announced waiters not yet woken. Incremented by prepare_wait (an RMW ordered by the fence
  // W that follows); decremented by cancel_wait, by wait when it was not woken by a
  // FUTEX_WAKE, and by a notifier for the sleepers its FUTEX_WAKE dequeued (all relaxed: a
  // decrement only ever removes a thread that is awake and will poll again). Loaded relaxed
  // by notifiers after their fence N. Shares epoch_'s line: both are touched only on the
  // parking path.
  std::atomic<std::uint32_t> waiters_{0};
  // Statistics only (relaxed).
  std::atomic<std::uint64_t> wake_calls_{0};
};

}  // namespace fb
