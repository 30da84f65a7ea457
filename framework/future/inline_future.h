// InlineFuture<T>: a one-shot completion slot that lives in the consumer's own storage (the
// request context in the caller's frame) - optimization #4, phase P4, `--opt inline-future`.
//
// What it is: one 32-bit atomic state word, storage for one T and one std::exception_ptr. The
// producer (a worker, or the calling thread itself on a direct path) stores a value or an error
// and publishes it; the consumer blocks in get() until it can take it. No heap allocation, no
// lock, no reference count: arming one is three stores.
//
// Guarantee: everything the producer wrote before set_value()/set_error() (the value, the error,
// and the request's stage stamps) happens-before get() returns (release/acquire on state_).
// One producer, one consumer, one completion per arming.
//
// Algorithm. state_ is EMPTY (armed, consumer awake), PARKED (the consumer announced it sleeps
// on the futex) or READY (published; the producer is done with the slot).
//   Producer: remember &state_, exchange(READY) [A]; only if the old state was PARKED, wake the
//     futex at the remembered address [B]. A consumer that is spinning, or has not started
//     waiting, costs the producer no syscall and no wake-up.
//   Consumer: spin (pause) up to a time budget looking for READY [E]; then EMPTY -> PARKED [F]
//     and futex-wait while PARKED [G, H].
// Why a raw futex and not std::atomic::wait/notify_one:
//   1. Lifetime: the producer's wake must come after its publishing store, and by then the
//      consumer may have returned and freed the slot. notify_one() is a member call on a
//      possibly destroyed atomic (undefined; P2616 proposes a fix for C++26). FUTEX_WAKE takes
//      an address, reads no memory of ours, and on an address nobody waits on does nothing; if
//      the same address already hosts the next request's slot, that consumer sees a spurious
//      wake-up and waits again (every wait here loops on the state).
//      (Notifying before the last store instead needs a WAKING state whose woken consumer spins
//      until the producer's final store: a second handshake on every parked completion.)
//   2. Measured: libstdc++ 12's atomic::wait spins with 4 sched_yield() calls before it sleeps.
//      On these 2-vCPU VMs under load a yield can hand the CPU away for a whole time slice:
//      set -> get p50 was ~8 ms with atomic::wait, against ~5 µs for a condition variable
//      (harness/micro/future_benchmarks.cpp, BM_CrossThread/AtomicWait). The futex wait sleeps
//      at once.
//
// Memory orders (the tags mark the code below):
//   A  producer exchange(READY), release: publishes value_/error_ (and the trace) to the
//      consumer's acquire loads E, F(failure), H. No acquire: the producer reads nothing the
//      consumer wrote; PARKED carries no data, only the decision to wake.
//   B  FUTEX_WAKE, no memory order (a syscall on an address computed before A).
//   E  consumer spin load, acquire: pairs with A.
//   F  consumer CAS EMPTY->PARKED, acquire: the failure needs it (the state is then READY:
//      pairs with A; or PARKED, left by an earlier wait_for); the success publishes nothing and
//      would do with relaxed, but GCC 12 warns (under TSan) when the failure order is the
//      stronger one, and on x86-64 both compile to the same lock cmpxchg.
//   G  FUTEX_WAIT(PARKED): the kernel compares the word with PARKED and queues the thread
//      atomically, so a READY stored before the compare makes it return at once, and one
//      stored after is followed by B, which finds the thread queued. No lost wake-up.
//   H  consumer load after every wake-up, acquire: pairs with A.
//   The state word shares a cache line with value_: the consumer reads value_ right after
//   seeing READY, so sharing saves it a miss; the producer writes value_ before touching state_.
//
// Evidence: harness/micro/future_benchmarks.cpp (set -> get, same thread and cross thread,
// InlineFuture vs HeapFuture vs std::promise/std::future vs std::atomic::wait);
// `fasterbench run --opt inline-future` reports the future stage and its allocations (0).
//
// Errors: set_error(std::exception_ptr) publishes an exception instead of a value; get()
// rethrows it on the consumer's thread. Publish from outside the catch block
// (`std::exception_ptr e; try {...} catch (...) { e = std::current_exception(); }
// slot.set_error(std::move(e));`) so that the producer holds no reference once it published:
// otherwise its handler may free the exception after the consumer read it - correct (the count
// is atomic) but done inside libstdc++, where TSan cannot see it.
//
// Timeouts: none that cancel. wait_for(timeout) parks up to `timeout` and returns false if the
// slot is still empty; nothing changes for the producer, which keeps its right to publish. So
// the consumer must keep the slot alive and still call get() (or wait_for until true) before it
// lets the slot go. A server that must answer 504 early needs request storage that outlives both
// sides (a per-connection context), not the caller's frame.
//
// SHARP EDGES:
//   - LIFETIME: THE SLOT MUST OUTLIVE THE PRODUCER'S set_value()/set_error() CALL. The consumer
//     may destroy it once get() returned (or ready()/wait_for() returned true), not before.
//     Symmetrically THE PRODUCER NEVER TOUCHES THE SLOT (NOR ANYTHING BESIDE IT, e.g. the
//     request context) AFTER set_value()/set_error(): the consumer may already have returned.
//   - ONE SHOT: one set per arming, one get. reset() re-arms, on the consumer's side, only when
//     no producer holds a reference.
//   - SPINNING BURNS A CPU: get(spin) spins up to `spin` before parking (default 0: park at
//     once, see kDefaultSpin). With more waiting consumers than CPUs, or producer and consumer
//     on one CPU, a spin only delays the producer. On the same thread (a direct path) get()
//     returns at its first check whatever the spin.
//   - LINUX ONLY: parking is a private futex on the state word.
//   - A producer may issue one FUTEX_WAKE on memory that has since been reused (see 1. above):
//     harmless for waiters that re-check their condition, as every futex user must.
//
// Usage (what App::handle does):
//   RequestContext ctx;                // holds InlineFuture<Response> completion
//   executor.submit(Task{&ctx});       // worker: ...; ctx.completion.set_value(std::move(r));
//   Response r = ctx.completion.get(); // ctx may go once get() returned
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#if !defined(__linux__)
#error "InlineFuture parks on a Linux futex: port detail::futex_wait / futex_wake_one first"
#endif
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fb {

namespace detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the futex word is the atomic's own storage");

// Sleeps while *word == expected (or until `timeout`, relative; null = none). Returns on a
// wake-up, a changed word, a signal, a timeout, or spuriously: callers re-check.
inline void futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* timeout) noexcept {
  syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, expected, timeout, nullptr, 0);
}

// Wakes one thread sleeping on `word`. Reads no memory at `word`: safe on an address whose
// object is gone (the kernel just finds no waiter, or a later waiter wakes spuriously).
inline void futex_wake_one(const void* word) noexcept {
  syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace detail

template <typename T>
class InlineFuture {
 public:
  // How long get() spins before it parks when not told: not at all. On the shared 2-vCPU VMs
  // this project measures on, a spinning caller mostly holds the CPU its producer needs
  // (hello, 5 interleaved runs of 100k requests: total p90 13.9 µs with spin 0, 24.1 µs with
  // 2 µs, 33.3 µs with 20 µs; future p50 3.1-3.4 µs in all three). Spinning pays only when
  // consumer and producer each own a CPU: pass a budget then (App: --future-spin-ns).
  static constexpr std::chrono::nanoseconds kDefaultSpin{0};

  InlineFuture() noexcept = default;
  InlineFuture(const InlineFuture&) = delete;
  InlineFuture& operator=(const InlineFuture&) = delete;

  // ---- producer (once per arming; the last touch of the slot) ----

  void set_value(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>) {
    value_.emplace(std::move(value));
    publish();
  }

  void set_error(std::exception_ptr error) noexcept {
    error_ = std::move(error);
    publish();
  }

  // ---- consumer ----

  // True once a value or error is published (then get() does not block).
  bool ready() const noexcept { return state_.load(std::memory_order_acquire) == kReady; }

  // True once the consumer has announced it sleeps (F) and until the completion is published:
  // a publish from then on takes the wake-up path (A, B). The consumer may still be on its way
  // into the futex. For tests and diagnostics; any thread may ask.
  bool consumer_parked() const noexcept { return state_.load(std::memory_order_acquire) == kParked; }

  // Blocks until the producer publishes; returns the value or rethrows the error. Spins up to
  // `spin`, then parks. Call once per arming.
  T get(std::chrono::nanoseconds spin = kDefaultSpin) {
    if (spin.count() > 0) {
      const auto deadline = std::chrono::steady_clock::now() + spin;
      for (unsigned i = 1;; ++i) {
        if (state_.load(std::memory_order_acquire) == kReady) return take();  // E
        detail::cpu_relax();
        if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) break;
      }
    }
    std::uint32_t s = kEmpty;
    if (state_.compare_exchange_strong(s, kParked, std::memory_order_acquire)) {  // F
      s = kParked;
    }
    while (s == kParked) {
      detail::futex_wait(state_, kParked, nullptr);  // G
      s = state_.load(std::memory_order_acquire);    // H
    }
    return take();
  }

  // Parks up to `timeout` for the completion; true when ready. Never cancels anything: after
  // false the slot must still be kept alive until the completion arrives (header comment).
  template <typename Rep, typename Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint32_t s = kEmpty;
    if (!state_.compare_exchange_strong(s, kParked, std::memory_order_acquire) &&  // F
        s == kReady) {
      return true;
    }
    while (true) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= left.zero()) return ready();
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      const timespec rel{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
      detail::futex_wait(state_, kParked, &rel);                               // G
      if (state_.load(std::memory_order_acquire) == kReady) return true;  // H
    }
  }

  // Re-arms a slot whose completion was taken, for another request. Consumer only, and only
  // when no producer holds a reference.
  void reset() noexcept {
    value_.reset();
    error_ = nullptr;
    state_.store(kEmpty, std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0, kParked = 1, kReady = 2;

  void publish() noexcept {
    const void* const word = &state_;  // taken while the slot surely exists
    if (state_.exchange(kReady, std::memory_order_release) == kParked) {  // A: the last touch
      detail::futex_wake_one(word);                                       // B
    }
  }

  T take() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

  // EMPTY -> READY or PARKED -> READY by the producer (A); EMPTY -> PARKED by the consumer (F);
  // -> EMPTY by reset(). Orders in the table above.
  std::atomic<std::uint32_t> state_{kEmpty};
  std::optional<T> value_;    // written by the producer before A; read by the consumer after READY
  std::exception_ptr error_;  // likewise
};

}  // namespace fb
