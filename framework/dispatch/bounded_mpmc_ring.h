// BoundedMpmcRing<T>: a fixed-capacity multi-producer multi-consumer FIFO ring of
// sequence-numbered cells (Dmitry Vyukov's bounded MPMC queue). Non-blocking try_push /
// try_pop only; waiting (spin, yield, park) is the caller's business — see
// wait_strategy.h and LockFreeQueue (lockfree_queue.h), which adds it for the executor.
//
// WHY ONE MPMC RING AND NOT ONE MPSC RING PER WORKER
//   With per-worker rings the producer must pick a worker, and a task queued behind a slow
//   handler (scenarios/mixed.toml has a `time.sleep` route) waits for it while other
//   workers idle: head-of-line blocking that work stealing would have to undo. One shared
//   ring hands each task to whichever worker is free, like the baseline mutex queue does,
//   so P0 and lockfree differ only in the synchronisation, which is what phase P2 measures.
//   The price is one contended dequeue index among the workers (a CAS), cheap at the
//   worker counts of these machines.
//
// GUARANTEE
//   - Exactly once: every successful try_push is returned by exactly one try_pop.
//   - FIFO in claim order: cells are claimed in the order of successful CASes on the
//     producer index and released to consumers in the order of successful CASes on the
//     consumer index. Hence FIFO per producer, and strict FIFO with a single consumer.
//     With several consumers, two pops may *complete* in either order.
//   - NOT LINEARIZABLE as a whole: try_pop can return false while later cells hold values
//     (the head cell was claimed by a producer that has not published it yet), and
//     try_push can return false while a consumer is still moving a value out of the cell.
//     "false" means "not now", never "definitely empty/full".
//   - Progress: claiming is lock-free (a CAS retry loop). Publication is NOT: a producer
//     preempted between its claim and its publish holds back every consumer at that cell
//     (and a consumer between claim and release holds back the producer a lap later).
//
// ALGORITHM
//   Capacity C is a power of two; cell i carries a sequence number `seq`, initially i.
//   Positions grow without bound (64-bit, no wrap in practice) and map to cell pos & (C-1).
//   For a cell at position pos:
//     seq == pos         the cell is free for the producer of lap pos / C
//     seq == pos + 1     the cell holds the value of position pos, ready for its consumer
//     seq == pos + C     the consumer has emptied it; free for the producer of the next lap
//   try_push: read tail; load the cell's seq (// A); seq == tail: CAS tail -> tail + 1 claims
//   the cell; construct the value; store seq = tail + 1 (release) to publish. seq < tail:
//   the cell still holds last lap's value, so the ring is full -> false. seq > tail:
//   another producer claimed it first; reload tail (// B) and retry.
//   try_pop: mirror image with head: seq == head + 1 claims (// C); move the value out,
//   destroy it, store seq = head + C (release) to hand the cell to the next lap's producer.
//   seq < head + 1: empty -> false; else reload head (// D) and retry.
//
// MEMORY ORDERS (the whole argument)
//   - The release store of `seq` after constructing the value, and the acquire load A/C
//     that reads it, make the value's construction happen-before the consumer's move;
//     likewise the consumer's release of the cell happens-before the next producer's
//     construction in it (A reads the consumer's `seq` store). No other ordering is
//     needed: the indices are only a ticket dispenser, so their loads and CASes are relaxed.
//     A thread that wins the CAS on tail at position p has read seq == p with acquire
//     (A) before the CAS, so it sees the previous consumer's writes to the cell.
//   - B and D reload the index after seeing a cell that is ahead of the index it read: the
//     index is stale, another thread has already advanced it.
//
// CACHE-LINE LAYOUT
//   tail_ (written by producers) and head_ (written by consumers) sit on separate
//   kFalseSharingRange-aligned lines, away from the read-only buffer pointer and mask.
//   Each cell is alignas(kCacheLine): a producer filling cell i never invalidates the line a
//   consumer is reading cell i-1 from. Because the padding is alignas on the cell struct,
//   sizeof(Cell) is the next multiple of 64 above sizeof(seq) + sizeof(T) for any T: no
//   hand-written padding arithmetic, nothing breaks for T above 56 bytes.
//
// EVIDENCE: the table in lockfree_queue.h, which measures this ring through the executor's
//   interface (fasterbench-micro --benchmark_filter=Queue). One poll of an empty ring plus a
//   PAUSE costs ~28 ns on the 2-vCPU EPYC VMs (measured).
//
// SHARP EDGES
//   - CAPACITY IS ROUNDED UP TO A POWER OF TWO, MINIMUM 2; memory is capacity x 64+ bytes,
//     allocated once in the constructor.
//   - FALSE FROM try_pop DOES NOT MEAN EMPTY, FALSE FROM try_push DOES NOT MEAN FULL (see
//     GUARANTEE). Callers that wait must re-check after they announce themselves (the
//     parking protocol in lockfree_queue.h does).
//   - A PREEMPTED PRODUCER BLOCKS CONSUMERS at its cell until it runs again; on an
//     oversubscribed machine (these VMs: 2 vCPUs) that is a scheduler quantum.
//   - T's move constructor and destructor run inside the claim/publish window: they must
//     not throw (static_assert) and should be cheap.
//   - The destructor destroys values still in the ring; it must not race with any
//     push or pop (stop every thread first).
//
// SHUTDOWN RECIPE
//   The ring has no closed state. Stop producers first (join them, or make them see a flag),
//   then drain with try_pop until it returns false *and no producer is inside try_push*,
//   then destroy. LockFreeQueue::close() packages this for the executor.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace fb {

// One x86-64 cache line: the unit of coherence, used to pad cells.
inline constexpr std::size_t kCacheLine = 64;
// Distance that keeps two independently written words from interfering: two lines, because
// the adjacent-line prefetcher of Intel cores (and Zen's) fetches lines in pairs. folly uses
// the same figure. (std::hardware_destructive_interference_size is 64 in GCC 12 and its use
// in a header triggers -Winterference-size, hence a constant.)
inline constexpr std::size_t kFalseSharingRange = 128;

template <typename T>
class BoundedMpmcRing {
  static_assert(std::is_nothrow_move_constructible_v<T>, "T is moved inside the publish window");
  static_assert(std::is_nothrow_destructible_v<T>, "T is destroyed inside the release window");

 public:
  explicit BoundedMpmcRing(std::size_t min_capacity)
      : capacity_(std::bit_ceil(min_capacity < 2 ? std::size_t{2} : min_capacity)),
        mask_(capacity_ - 1),
        cells_(std::make_unique<Cell[]>(capacity_)) {
    for (std::size_t i = 0; i < capacity_; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
    // The constructor's writes reach other threads through whatever publishes the ring
    // object itself (thread start, a mutex, a release store).
  }

  ~BoundedMpmcRing() {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    for (std::uint64_t pos = head_.load(std::memory_order_relaxed); pos != tail; ++pos) {
      Cell& cell = cells_[pos & mask_];
      if (cell.seq.load(std::memory_order_relaxed) == pos + 1) cell.value()->~T();
    }
  }

  BoundedMpmcRing(const BoundedMpmcRing&) = delete;
  BoundedMpmcRing& operator=(const BoundedMpmcRing&) = delete;

  std::size_t capacity() const noexcept { return capacity_; }

  // Moves `value` in and returns true, or returns false (leaving `value` untouched) when the
  // cell at the tail still holds last lap's value: the ring is full, or a consumer is slow.
  bool try_push(T& value) noexcept(std::is_nothrow_move_constructible_v<T>) {
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & mask_];
      const std::uint64_t seq = cell->seq.load(std::memory_order_acquire);  // A
      const auto dif = static_cast<std::int64_t>(seq - pos);
      if (dif == 0) {
        // On failure the CAS reloads pos (relaxed): retry with the fresher tail.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed, std::memory_order_relaxed)) break;
      } else if (dif < 0) {
        return false;  // full: the cell is one lap behind
      } else {
        pos = tail_.load(std::memory_order_relaxed);  // B: another producer took it
      }
    }
    ::new (static_cast<void*>(cell->storage)) T(std::move(value));
    cell->seq.store(pos + 1, std::memory_order_release);  // publish to the consumer of pos
    return true;
  }
  bool try_push(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>) { return try_push(value); }

  // Moves the oldest claimable value into `out` and returns true, or returns false when the
  // cell at the head holds no value yet (empty, or its producer has not published).
  bool try_pop(T& out) noexcept(std::is_nothrow_move_assignable_v<T>) {
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & mask_];
      const std::uint64_t seq = cell->seq.load(std::memory_order_acquire);  // C
      const auto dif = static_cast<std::int64_t>(seq - (pos + 1));
      if (dif == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed, std::memory_order_relaxed)) break;
      } else if (dif < 0) {
        return false;  // empty: the cell's producer has not published position pos
      } else {
        pos = head_.load(std::memory_order_relaxed);  // D: another consumer took it
      }
    }
    T* value = cell->value();
    out = std::move(*value);
    value->~T();
    cell->seq.store(pos + capacity_, std::memory_order_release);  // free it for the next lap
    return true;
  }

  // Hints, exact only when no thread is pushing or popping: head and tail are read at
  // different instants (head first, so a concurrent pop cannot make the size negative; a
  // concurrent push can make it overshoot by the pushes in flight). Used for wake-up
  // decisions (chaining, hysteresis), never for correctness.
  bool empty_hint() const noexcept { return size_hint() == 0; }
  std::size_t size_hint() const noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    return tail > head ? static_cast<std::size_t>(tail - head) : 0;
  }

 private:
  struct alignas(kCacheLine) Cell {
    // Written by the producer that claimed the cell (release: publishes the value) and by the
    // consumer that emptied it (release: hands the storage to the next lap's producer). Read
    // with acquire by both at A and C. Relaxed only in the constructor and destructor.
    std::atomic<std::uint64_t> seq{0};
    alignas(T) unsigned char storage[sizeof(T)];

    T* value() noexcept { return std::launder(reinterpret_cast<T*>(storage)); }
  };

  // Read-only after construction: shared by everyone, never invalidated.
  const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<Cell[]> cells_;

  // Next position to claim for a push. Written only by producers' CAS (relaxed: a ticket;
  // the cell's seq carries the ordering). Own line: producers hammer it, consumers never do.
  alignas(kFalseSharingRange) std::atomic<std::uint64_t> tail_{0};
  // Next position to claim for a pop. Written only by consumers' CAS (relaxed, as tail_).
  // (alignas makes sizeof(BoundedMpmcRing) a multiple of kFalseSharingRange, so whatever
  // follows the ring in memory stays off head_'s range without a pad member.)
  alignas(kFalseSharingRange) std::atomic<std::uint64_t> head_{0};
};

}  // namespace fb
