// SchedulePacer: hands the arrivals of one ArrivalSchedule to C sender threads and holds each
// send until its intended time.
//
// Guarantee: every arrival is claimed by exactly one sender, in schedule order, and next()
// returns no earlier than the claimed arrival's intended time. Senders are interchangeable: an
// arrival falls to whichever sender is free first. When all C are busy, the due arrivals wait;
// that wait is measured from the intended time (the `queue` stage), so a stall in the pipeline
// shows in the latencies of the requests it delayed instead of thinning the load (coordinated
// omission corrected, as wrk2 does). C bounds the requests outstanding, not the rate.
//
// Algorithm: one shared index, advanced with fetch_add (A); the schedule itself is immutable.
// Waiting: sleep (clock_nanosleep; the sender sets its timer slack to 1 ns) until a margin
// before the intended time, then yield-spin (sched_yield, so that a pipeline thread sharing the
// CPU runs first) until it. Each sender learns its margin from its own oversleeps: twice their
// running mean (the newest weighted 1/8), clamped to [kMinMargin, kMaxMargin].
//
// Evidence: the generator's no-op limit (generator_limit.h) is printed with every open-loop run;
// lag and lateness are counted per send (SenderPace).
//
// SHARP EDGES: start() must happen-before every next() and due_by() (the barrier that ends the
// warm-up orders it). Spinning costs CPU: up to one margin per send (tens of µs on these VMs).
// A sender that is late sends at once; it never skips an arrival.
//
// Recipe: pacer.start() once (in the barrier's completion step); then each sender
//   while (auto slot = pacer.next(pace)) { send(slot->request, slot->intended); pacer.completed(); }
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "harness/load/arrival_schedule.h"
#include "probes/clock.h"

namespace fb::harness {

// What one sender saw of the schedule; owned by that sender's thread, merged at the end.
struct SenderPace {
  std::int64_t margin_ns = 100'000;  // sleep ends this much before the intended time
  double oversleep_mean_ns = 50'000;
  std::uint64_t sent = 0;
  std::uint64_t late = 0;       // sends more than the late threshold after their intended time
  std::int64_t max_lag_ns = 0;  // largest (send - intended)
};

class SchedulePacer {
 public:
  static constexpr std::int64_t kMinMargin = 20'000;
  static constexpr std::int64_t kMaxMargin = 2'000'000;

  // `late_threshold_ns`: a send later than this after its intended time counts as late.
  SchedulePacer(const ArrivalSchedule& schedule, std::int64_t late_threshold_ns);

  // Time zero is now. Once, before any next().
  void start() noexcept;

  struct Slot {
    std::size_t index;      // position in the schedule (the ticket)
    std::uint32_t request;  // RequestTable index
    probes::Ticks intended;
  };
  // Claims the next arrival and returns at its intended time (or at once when late, counting the
  // lag in `pace`); nullopt when the schedule is used up.
  std::optional<Slot> next(SenderPace& pace);

  // A response is ready (for the in-flight count).
  void completed() noexcept { completed_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t completed_count() const noexcept { return completed_.load(std::memory_order_relaxed); }

  // Arrivals whose intended time is at or before `now`.
  std::size_t due_by(probes::Ticks now) const noexcept;

  probes::Ticks start_ticks() const noexcept { return start_ticks_; }
  std::chrono::steady_clock::time_point start_time() const noexcept { return start_time_; }
  const ArrivalSchedule& schedule() const noexcept { return schedule_; }
  std::int64_t late_threshold_ns() const noexcept { return late_threshold_ns_; }

 private:
  probes::Ticks intended_ticks(std::int64_t at_ns) const noexcept;

  const ArrivalSchedule& schedule_;
  const std::int64_t late_threshold_ns_;
  const double ns_per_tick_;
  // Written once by start(), read by every sender after the barrier that follows it.
  probes::Ticks start_ticks_ = 0;
  std::chrono::steady_clock::time_point start_time_;
  // The next arrival to claim. Every sender fetch_adds it (A), relaxed: it orders nothing but
  // itself (the schedule is immutable, start_* are published by the barrier).
  alignas(64) std::atomic<std::size_t> next_{0};
  // Responses ready so far. Senders fetch_add (relaxed), the in-flight sampler loads (relaxed):
  // a sample is a count, it reads no data the count would publish.
  alignas(64) std::atomic<std::uint64_t> completed_{0};
};

// The lateness threshold of a schedule: one mean gap between arrivals (a send later than that is
// behind by a whole request), at least 1 µs.
std::int64_t late_threshold_ns(const ArrivalSchedule& schedule);

}  // namespace fb::harness

namespace fb::harness {

// Sets this thread's timer slack to 1 ns (prctl PR_SET_TIMERSLACK; the default 50 µs would make
// every paced sleep end up to 50 µs late). Call on each sender thread.
void use_fine_timer_slack() noexcept;

}  // namespace fb::harness
