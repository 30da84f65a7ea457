#include "framework/dispatch/wait_strategy.h"

#include <climits>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fb {

namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view wait_policy_name(WaitPolicy policy) {
  switch (policy) {
    case WaitPolicy::spin: return "spin";
    case WaitPolicy::yield: return "yield";
    case WaitPolicy::park: return "park";
    case WaitPolicy::adaptive: return "adaptive";
  }
  return "?";
}

std::optional<WaitPolicy> wait_policy_from_name(std::string_view name) {
  for (WaitPolicy p : kWaitPolicies) {
    if (wait_policy_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view wait_policy_summary(WaitPolicy policy) {
  switch (policy) {
    case WaitPolicy::spin: return "pause loop, never sleeps";
    case WaitPolicy::yield: return "sched_yield loop";
    case WaitPolicy::park: return "futex sleep at once";
    case WaitPolicy::adaptive: return "spin, then yield, then park";
  }
  return "?";
}

std::vector<std::string> wait_policy_names() {
  std::vector<std::string> names;
  for (WaitPolicy p : kWaitPolicies) names.emplace_back(wait_policy_name(p));
  return names;
}

Backoff::Next Backoff::after_failed_poll() noexcept {
  switch (policy_) {
    case WaitPolicy::spin:
      cpu_relax();
      return Next::retry;
    case WaitPolicy::yield:
      std::this_thread::yield();
      return Next::retry;
    case WaitPolicy::park:
      return Next::park;
    case WaitPolicy::adaptive:
      break;
  }
  if (phase_ == Phase::spin) {
    if (polls_ == 0) start_ns_ = now_ns();
    ++polls_;
    if (polls_ % kClockEvery != 0 || now_ns() - start_ns_ < tuning_.spin_ns) {
      cpu_relax();
      return Next::retry;
    }
    phase_ = Phase::yield;
  }
  if (yields_ < tuning_.yield_polls) {
    ++yields_;
    std::this_thread::yield();
    return Next::retry;
  }
  // Back to the start after a park: the caller re-polls, and if it wakes to an empty queue
  // (a spurious or stolen wake-up) it spins briefly again before the next sleep.
  phase_ = Phase::spin;
  polls_ = 0;
  yields_ = 0;
  return Next::park;
}

std::int64_t Backoff::spun_ns() const noexcept { return polls_ == 0 ? 0 : now_ns() - start_ns_; }

namespace {

#if defined(__linux__)
// FUTEX_*_PRIVATE: the word is never shared across processes, so the kernel can key it by
// (mm, address) without pinning the page.
//
// True when a FUTEX_WAKE dequeued this thread: the kernel returns 0 only then (it retries
// internally on spurious wake-ups without a signal). False on EAGAIN (the word != expected:
// a notify came first) and on EINTR.
bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr,
                   0) == 0;
}
// How many sleepers it dequeued; each of them sees futex_wait return true.
std::uint32_t futex_wake(std::atomic<std::uint32_t>& word, bool all) noexcept {
  const long n = ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, all ? INT_MAX : 1,
                           nullptr, nullptr, 0);
  return n > 0 ? static_cast<std::uint32_t>(n) : 0;
}
#else
// Portable fallback: no count of woken threads, so every waiter withdraws itself.
bool futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  word.wait(expected, std::memory_order_relaxed);
  return false;
}
std::uint32_t futex_wake(std::atomic<std::uint32_t>& word, bool all) noexcept {
  if (all) word.notify_all(); else word.notify_one();
  return 0;
}
#endif

}  // namespace

EventCount::Key EventCount::prepare_wait() noexcept {
  // The key is read before W: any bump it misses comes from a notifier whose fence N follows
  // W (see the argument in the header), and that bump makes FUTEX_WAIT return.
  const Key key = epoch_.load(std::memory_order_relaxed);
  waiters_.fetch_add(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // W
  return key;
}

void EventCount::cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_relaxed); }

// Every announced waiter is withdrawn from waiters_ exactly once: by cancel_wait, by wait
// when the futex returned for any other reason than a FUTEX_WAKE, or by the notifier whose
// FUTEX_WAKE dequeued it (the kernel tells both sides). The notifier withdrawing the threads
// it woke matters: a woken thread needs microseconds to run, and a burst of pushes meanwhile
// would otherwise each see it still counted and make a useless system call.
void EventCount::wait(Key key) noexcept {
  if (!futex_wait(epoch_, key)) waiters_.fetch_sub(1, std::memory_order_relaxed);
}

bool EventCount::has_waiters() noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);      // N
  return waiters_.load(std::memory_order_relaxed) != 0;     // L: nobody asleep, no syscall
}

void EventCount::wake(bool all) noexcept {
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  wake_calls_.fetch_add(1, std::memory_order_relaxed);
  if (const std::uint32_t woken = futex_wake(epoch_, all); woken != 0) {
    waiters_.fetch_sub(woken, std::memory_order_relaxed);
  }
}

}  // namespace fb
