#include "framework/dispatch/lockfree_queue.h"

#if FASTERBENCH_HAVE_LOCKFREE

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace fb {

LockFreeQueue::LockFreeQueue(std::size_t capacity, WaitPolicy policy, WaitTuning tuning)
    : ring_(capacity),
      policy_(policy),
      tuning_(tuning),
      max_spinners_(std::max(1u, std::thread::hardware_concurrency() / 2)),
      may_park_(policy == WaitPolicy::park || policy == WaitPolicy::adaptive),
      spin_budget_(tuning.spin_ns) {}

bool LockFreeQueue::try_start_spinning() noexcept {
  std::uint32_t n = spinners_.load(std::memory_order_relaxed);
  while (n < max_spinners_) {
    if (spinners_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void LockFreeQueue::adapt_spin_budget(bool caught, std::int64_t spun_ns) noexcept {
  const std::int64_t ceiling = tuning_.spin_ns;
  const std::int64_t floor = std::min<std::int64_t>(kMinSpinNs, ceiling);
  const std::int64_t old = spin_budget_.load(std::memory_order_relaxed);
  // A catch after more wall time than the budget (plus a clock-check's overshoot) means the
  // spinner was preempted: what it caught, it caught by luck, not by spinning.
  const bool paid = caught && spun_ns <= old + 1000;
  const std::int64_t target = paid ? std::clamp<std::int64_t>(2 * spun_ns + floor, floor, ceiling) : floor;
  spin_budget_.store(static_cast<std::uint32_t>(old + (target - old) / 4), std::memory_order_relaxed);
}

void LockFreeQueue::push(Task task) {
  if (!ring_.try_push(task)) wait_until_pushed(task);
  if (may_park_) not_empty_.notify_one();  // a syscall only if a worker is parked
}

// The ring is full (backpressure): wait by the same policy as the workers, parking on
// not_full_ where the policy parks. The mirror image of pop_slow: the cell this producer
// needs is released by a worker's pop, whose not_full_.notify_one() wakes it (the same
// event count argument, with "condition" = the cell at the tail released).
void LockFreeQueue::wait_until_pushed(Task& task) {
  Backoff backoff(policy_, tuning_);
  // adaptive: park at once. The ring is full because the workers are behind; a producer
  // spinning here takes a CPU they need to catch up (2P1C throughput on 2 vCPUs: ~1.3 M/s
  // with spinning producers, ~3.8 M/s without).
  if (policy_ == WaitPolicy::adaptive) backoff.skip_to_park();
  for (;;) {
    if (closed_.load(std::memory_order_relaxed)) throw std::logic_error("LockFreeQueue::push after close() on a full queue");
    if (backoff.after_failed_poll() == Backoff::Next::park) {
      const EventCount::Key key = not_full_.prepare_wait();  // fence W inside
      if (ring_.try_push(task)) {                            // the re-check after announcing
        not_full_.cancel_wait();
        return;
      }
      if (closed_.load(std::memory_order_relaxed)) {
        not_full_.cancel_wait();
        throw std::logic_error("LockFreeQueue::push after close() on a full queue");
      }
      not_full_.wait(key);
    }
    if (ring_.try_push(task)) return;
  }
}

bool LockFreeQueue::pop(Task& out) {
  const bool got = ring_.try_pop(out) || pop_slow(out);  // fast path first: work was waiting
  // Producers parked on a full ring are woken once it has drained to half (a low-water
  // mark), all at once: waking one per freed cell would have them park and wake again at
  // every pop. Not lost: a producer parks only after its re-check found the ring full, so
  // from then on the pops drain it and the one that reaches half (at the latest the one
  // that empties it; a worker parks only on an empty ring) sees the producer and wakes it.
  if (got && may_park_ && not_full_.has_waiters() && ring_.size_hint() <= ring_.capacity() / 2) {
    not_full_.wake(true);
  }
  return got;
}

bool LockFreeQueue::pop_slow(Task& out) {
  const bool adaptive = policy_ == WaitPolicy::adaptive;
  WaitTuning tuning = tuning_;
  if (adaptive) {  // this episode's budget: the learnt spin, and yields in proportion
    tuning.spin_ns = spin_budget_.load(std::memory_order_relaxed);
    tuning.yield_polls = tuning_.spin_ns == 0
                             ? tuning_.yield_polls
                             : static_cast<std::uint32_t>(std::uint64_t{tuning_.yield_polls} * tuning.spin_ns / tuning_.spin_ns);
  }
  Backoff backoff(policy_, tuning);
  // adaptive: spin and yield only with a spinning slot, else park at the first failed poll.
  bool spinning = adaptive && try_start_spinning();
  if (adaptive && !spinning) backoff.skip_to_park();
  bool learning = spinning;  // this episode's first spin phase says whether spinning pays
  struct SlotGuard {  // gives the slot back on every return
    LockFreeQueue& q;
    bool& held;
    ~SlotGuard() {
      if (held) q.stop_spinning();
    }
  } guard{*this, spinning};
  bool woke = false;
  for (;;) {
    // E: tasks pushed before close() happen-before this load's success, so the drain below
    // sees them.
    if (closed_.load(std::memory_order_acquire)) return ring_.try_pop(out);
    if (backoff.after_failed_poll() == Backoff::Next::park) {
      if (learning) {  // spun (and yielded) in vain
        adapt_spin_budget(false, backoff.spun_ns());
        learning = false;
      }
      if (spinning) {
        stop_spinning();
        spinning = false;
      }
      const EventCount::Key key = not_empty_.prepare_wait();  // fence W inside
      if (ring_.try_pop(out)) {                               // the re-check after announcing
        not_empty_.cancel_wait();
        return true;
      }
      if (closed_.load(std::memory_order_relaxed)) {  // F
        not_empty_.cancel_wait();
        return ring_.try_pop(out);
      }
      not_empty_.wait(key);
      woke = true;
      if (adaptive) {  // woken: spin again before the next sleep, if a slot is free
        spinning = try_start_spinning();
        if (!spinning) backoff.skip_to_park();
      }
    }
    if (ring_.try_pop(out)) {
      // Caught in the spin phase: spinning paid (if it was not a preemption in disguise).
      if (learning) adapt_spin_budget(backoff.spinning(), backoff.spun_ns());
      // Wake chaining: a task published behind an unpublished head while workers were
      // still awake made no wake-up (its producer saw nobody parked); once the head's
      // producer woke us, pass the baton if more work is visible, so the other sleepers
      // do not idle while it waits for us.
      if (woke && !ring_.empty_hint()) not_empty_.notify_one();
      return true;
    }
  }
}

void LockFreeQueue::close() {
  closed_.store(true, std::memory_order_seq_cst);
  not_empty_.notify_all();
  not_full_.notify_all();  // a producer parked on a full ring throws (push after close)
}

}  // namespace fb

#endif  // FASTERBENCH_HAVE_LOCKFREE
