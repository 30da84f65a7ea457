#include "framework/dispatch/wait_strategy.h"

#include <climits>
#include <thread>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fb {

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
  for (WaitPolicy p : {WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::park, WaitPolicy::adaptive}) {
    if (wait_policy_name(p) == name) return p;
  }
  return std::nullopt;
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
  const std::uint32_t n = polls_++;
  if (n < tuning_.spin_polls) {
    cpu_relax();
    return Next::retry;
  }
  if (n < tuning_.spin_polls + tuning_.yield_polls) {
    std::this_thread::yield();
    return Next::retry;
  }
  // Back to the start after a park: the caller re-polls, and if it wakes to an empty queue
  // (a spurious or stolen wake-up) it spins briefly again before the next sleep.
  polls_ = 0;
  return Next::park;
}

namespace {

#if defined(__linux__)
// FUTEX_*_PRIVATE: the word is never shared across processes, so the kernel can key it by
// (mm, address) without pinning the page.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  // Returns on wake, on EAGAIN (word != expected: a notify came first) and on EINTR; the
  // caller treats all three alike.
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>& word, bool all) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, all ? INT_MAX : 1, nullptr, nullptr, 0);
}
#else
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) noexcept {
  word.wait(expected, std::memory_order_relaxed);
}
void futex_wake(std::atomic<std::uint32_t>& word, bool all) noexcept {
  if (all) word.notify_all(); else word.notify_one();
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

void EventCount::wait(Key key) noexcept {
  futex_wait(epoch_, key);
  waiters_.fetch_sub(1, std::memory_order_relaxed);
}

void EventCount::notify(bool all) noexcept {
  std::atomic_thread_fence(std::memory_order_seq_cst);  // N
  if (!all && waiters_.load(std::memory_order_relaxed) == 0) return;  // L: nobody asleep, no syscall
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  wake_calls_.fetch_add(1, std::memory_order_relaxed);
  futex_wake(epoch_, all);
}

}  // namespace fb
