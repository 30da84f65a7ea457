#include "framework/dispatch/lockfree_queue.h"

#if FASTERBENCH_HAVE_LOCKFREE

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace fb {

LockFreeQueue::LockFreeQueue(std::size_t capacity, WaitPolicy policy, WaitTuning tuning)
    : ring_(capacity),
      policy_(policy),
      tuning_(tuning),
      max_spinners_(std::max(1u, std::thread::hardware_concurrency() / 2)),
      workers_may_park_(policy == WaitPolicy::park || policy == WaitPolicy::adaptive) {}

bool LockFreeQueue::try_start_spinning() noexcept {
  std::uint32_t n = spinners_.load(std::memory_order_relaxed);
  while (n < max_spinners_) {
    if (spinners_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void LockFreeQueue::push(Task task) {
  if (!ring_.try_push(task)) wait_until_pushed(task);
  if (workers_may_park_) not_empty_.notify_one();  // a syscall only if a worker is parked
}

// The ring is full: back off and retry. Spin briefly (a worker is probably mid-pop), yield
// (give a worker sharing this CPU the chance to run), then sleep in doubling steps from
// 1 us to 1 ms. Workers never notify "not full" (SHARP EDGES in the header).
void LockFreeQueue::wait_until_pushed(Task& task) {
  using namespace std::chrono_literals;
  std::chrono::microseconds nap = 1us;
  for (std::uint32_t round = 0;; ++round) {
    if (closed_.load(std::memory_order_relaxed)) throw std::logic_error("LockFreeQueue::push after close() on a full queue");
    if (round < tuning_.spin_polls) {
      cpu_relax();
    } else if (round < tuning_.spin_polls + tuning_.yield_polls) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(nap);
      nap = std::min<std::chrono::microseconds>(nap * 2, 1ms);
    }
    if (ring_.try_push(task)) return;
  }
}

bool LockFreeQueue::pop(Task& out) {
  if (ring_.try_pop(out)) return true;  // fast path: work was waiting
  return pop_slow(out);
}

bool LockFreeQueue::pop_slow(Task& out) {
  Backoff backoff(policy_, tuning_);
  // adaptive: spin and yield only with a spinning slot, else park at the first failed poll.
  const bool adaptive = policy_ == WaitPolicy::adaptive;
  bool spinning = adaptive && try_start_spinning();
  if (adaptive && !spinning) backoff.skip_to_park();
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
}

}  // namespace fb

#endif  // FASTERBENCH_HAVE_LOCKFREE
