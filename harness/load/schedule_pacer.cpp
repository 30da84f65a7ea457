#include "harness/load/schedule_pacer.h"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cmath>

namespace fb::harness {

SchedulePacer::SchedulePacer(const ArrivalSchedule& schedule, std::int64_t late_threshold_ns)
    : schedule_(schedule), late_threshold_ns_(late_threshold_ns), ns_per_tick_(probes::clock_calibration().ns_per_tick) {}

void SchedulePacer::start() noexcept {
  start_time_ = std::chrono::steady_clock::now();
  start_ticks_ = probes::now_ticks();
}

probes::Ticks SchedulePacer::intended_ticks(std::int64_t at_ns) const noexcept {
  return start_ticks_ + static_cast<probes::Ticks>(std::llround(static_cast<double>(at_ns) / ns_per_tick_));
}

std::optional<SchedulePacer::Slot> SchedulePacer::next(SenderPace& pace) {
  const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);  // A
  if (i >= schedule_.arrivals.size()) return std::nullopt;
  const Arrival& a = schedule_.arrivals[i];
  const probes::Ticks intended = intended_ticks(a.at_ns);
  probes::Ticks now = probes::now_ticks();
  while (now < intended) {
    const auto left_ns = static_cast<std::int64_t>(static_cast<double>(intended - now) * ns_per_tick_);
    if (left_ns > pace.margin_ns) {
      const std::int64_t asked = left_ns - pace.margin_ns;
      const timespec ts{static_cast<time_t>(asked / 1'000'000'000), static_cast<long>(asked % 1'000'000'000)};
      clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, nullptr);
      const probes::Ticks woke = probes::now_ticks();
      const double slept_ns = static_cast<double>(woke - now) * ns_per_tick_;
      pace.oversleep_mean_ns += (std::max(0.0, slept_ns - static_cast<double>(asked)) - pace.oversleep_mean_ns) / 8.0;
      pace.margin_ns = std::clamp(static_cast<std::int64_t>(2.0 * pace.oversleep_mean_ns), kMinMargin, kMaxMargin);
      now = woke;
      continue;
    }
    sched_yield();
    now = probes::now_ticks();
  }
  const auto lag_ns = static_cast<std::int64_t>(static_cast<double>(now - intended) * ns_per_tick_);
  ++pace.sent;
  if (lag_ns > late_threshold_ns_) ++pace.late;
  pace.max_lag_ns = std::max(pace.max_lag_ns, lag_ns);
  return Slot{i, a.request, intended};
}

std::size_t SchedulePacer::due_by(probes::Ticks now) const noexcept {
  if (now < start_ticks_) return 0;
  const auto elapsed_ns = static_cast<std::int64_t>(static_cast<double>(now - start_ticks_) * ns_per_tick_);
  const auto& arrivals = schedule_.arrivals;
  const auto it = std::upper_bound(arrivals.begin(), arrivals.end(), elapsed_ns,
                                   [](std::int64_t t, const Arrival& a) { return t < a.at_ns; });
  return static_cast<std::size_t>(it - arrivals.begin());
}

std::int64_t late_threshold_ns(const ArrivalSchedule& schedule) {
  if (schedule.arrivals.empty()) return 1000;
  return std::max<std::int64_t>(1000, schedule.window_ns / static_cast<std::int64_t>(schedule.arrivals.size()));
}

}  // namespace fb::harness

#include <sys/prctl.h>

namespace fb::harness {

void use_fine_timer_slack() noexcept { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

}  // namespace fb::harness
