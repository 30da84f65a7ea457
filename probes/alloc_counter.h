// Per-stage accounting of C++ heap allocations (global operator new), charged to the stage the
// allocating thread is in.
//
// What it counts: calls of the replaceable global operator new / new[] (every overload,
// aligned and nothrow included) and the bytes they asked for. It does NOT count Python's own
// allocations (PyMem / pymalloc / PyObject_Malloc) nor direct malloc calls: those never go
// through operator new. Results say so ("allocator": "C++ operator new only").
//
// How: every thread owns a block of counters in thread-local storage, one bucket per stage
// plus one for "outside any request". Each stage point (framework/stage.h) sets the thread's
// current bucket; the counting operator new (probes/alloc_hooks.cpp) adds one to it. A
// cross-thread stage is charged on both threads: the caller's push and the worker's pop are
// `dispatch`, the caller's wait and the worker's completion are `future`. Counts are per run
// (sum over threads between two snapshots), so "allocations per request" is an average.
//
// Linking: the counters and the stage tag live here, in fasterbench_probes, so the framework can
// tag stages without knowing whether anybody counts. The operator new that counts is a separate
// object library (fasterbench_alloc_hooks) linked only into the harness executable and the tests
// that need it. Without it every count stays 0 and alloc_counting_linked() is false.
//
// Cost: a stage point adds one thread-local byte store; a counted allocation adds a
// thread-local flag test, and two relaxed load+store pairs (plain moves on x86-64: no lock
// prefix, no contention, since only the owning thread writes its block).
//
// SHARP EDGES: allocations made by a thread between two requests (a worker looping back to the
// queue) are charged to the stage it was last tagged with, by design `dispatch` for workers.
// Counts taken while threads still run are a consistent sum of monotonic counters, not an
// atomic snapshot of the process: a snapshot races by at most the allocations in flight.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "probes/stage_names.h"

namespace fb::probes {

// Bucket for allocations made outside any request stage (set-up, the load generator, a
// worker's start hook). Not part of any request's count.
inline constexpr std::size_t kAllocOutside = kStageCount;
inline constexpr std::size_t kAllocBuckets = kStageCount + 1;

// The stage a thread is in after stamping each point (probes/stage_ids.h, `stage_after`: seen
// from the thread that stamps). `total` is never a bucket: it is the sum of the others. A point
// after which the thread leaves the request (NONE) charges kAllocOutside (== FB_STAGE_NONE).
static_assert(FB_STAGE_NONE == kAllocOutside);
#define FB_ALLOC_STAGE_AFTER(id, name, stage_after, then) FB_STAGE_##stage_after,
inline constexpr std::array<std::uint8_t, kPointCount> kAllocStageAfterPoint = {FB_POINTS(FB_ALLOC_STAGE_AFTER)};
#undef FB_ALLOC_STAGE_AFTER

// One thread's counters. `stage` and `registered` are touched only by the owning thread. The
// counts are written only by the owning thread (relaxed load + relaxed store, no RMW) and read
// by alloc_totals() from other threads (relaxed loads): atomics only so that those reads are
// not data races; nothing is ordered by them.
struct ThreadAllocCounters {
  std::uint8_t stage = kAllocOutside;
  bool registered = false;  // in the registry that alloc_totals() sums
  std::array<std::atomic<std::uint64_t>, kAllocBuckets> allocations{};
  std::array<std::atomic<std::uint64_t>, kAllocBuckets> bytes{};
};

// Constant-initialized and trivially destructible: reading it needs no TLS init guard, so the
// stage point and operator new pay one %fs-relative access.
inline constinit thread_local ThreadAllocCounters t_alloc_counters;

// From now on this thread's allocations belong to `stage` (kAllocOutside for none).
inline void charge_allocations_to(std::size_t stage) noexcept {
  t_alloc_counters.stage = static_cast<std::uint8_t>(stage);
}

// Adds this thread's block to the registry (first allocation of a thread). A thread that exits
// folds its counts into a process-wide total, so nothing is lost when workers stop.
void register_alloc_thread() noexcept;

// Called by the counting operator new for every allocation: counts `bytes` in the thread's
// current bucket.
inline void count_allocation(std::size_t bytes) noexcept {
  ThreadAllocCounters& c = t_alloc_counters;
  if (!c.registered) [[unlikely]] register_alloc_thread();
  const std::size_t s = c.stage;
  c.allocations[s].store(c.allocations[s].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  c.bytes[s].store(c.bytes[s].load(std::memory_order_relaxed) + bytes, std::memory_order_relaxed);
}

// Sum of every thread's counters, live and exited, since the process started.
struct AllocTotals {
  std::array<std::uint64_t, kAllocBuckets> allocations{};
  std::array<std::uint64_t, kAllocBuckets> bytes{};

  // `later` - `*this`, bucket by bucket.
  AllocTotals until(const AllocTotals& later) const noexcept;
  // Allocations in request stages (every bucket but kAllocOutside).
  std::uint64_t request_allocations() const noexcept;
  std::uint64_t request_bytes() const noexcept;
};
AllocTotals alloc_totals();

// This thread's own counters (no lock; what a single-threaded test compares).
AllocTotals this_thread_alloc_totals() noexcept;

// True when the counting operator new is linked into this program (probes/alloc_hooks.cpp).
bool alloc_counting_linked() noexcept;

namespace detail {
// Called once by alloc_hooks.cpp's static initializer.
void mark_alloc_hooks_linked() noexcept;
}  // namespace detail

}  // namespace fb::probes
