#include "harness/stats/load_figures.h"

#include <algorithm>
#include <cmath>

namespace fb::harness {

LittleCheck check_littles_law(const InFlightFigures& sampled, double achieved_rps, double mean_total_ns) {
  LittleCheck c;
  c.samples = sampled.samples;
  c.measured_in_system = sampled.mean_in_system;
  c.standard_error = sampled.samples > 0 ? std::sqrt(sampled.variance / static_cast<double>(sampled.samples)) : 0;
  c.predicted_in_system = achieved_rps * mean_total_ns / 1e9;
  const double diff = c.measured_in_system - c.predicted_in_system;
  c.relative_difference = c.predicted_in_system > 0 ? diff / c.predicted_in_system : 0;
  c.checked = sampled.samples >= 2 &&
              std::max(c.measured_in_system, c.predicted_in_system) >= kLittleMinInSystem;
  c.holds = !c.checked || std::abs(diff) <= kLittleTolerance * c.predicted_in_system ||
            std::abs(diff) <= kLittleStandardErrors * c.standard_error;
  return c;
}

LoadFigures load_figures(const LoadResult& load, double mean_total_ns) {
  LoadFigures f;
  f.mode = load.mode;
  f.achieved_rps = load.throughput_rps;
  if (!load.schedule) return f;
  const ScheduleOutcome& s = *load.schedule;
  f.offered_rps = s.offered_rps;
  f.achieved_rps = s.achieved_rps;
  f.achieved_ratio = s.offered_rps > 0 ? s.achieved_rps / s.offered_rps : 1;
  f.saturated = f.achieved_ratio < 1.0 - kSaturationShortfall;
  f.scheduled = s.scheduled;
  f.window_s = s.window_s;
  f.late_sends = s.late_sends;
  f.late_threshold_ns = s.late_threshold_ns;
  f.max_lag_ns = s.max_lag_ns;
  f.little = check_littles_law(s.in_flight, s.achieved_rps, mean_total_ns);
  const auto n = s.uncorrected_total.count();
  if (n > 0) {
    f.little->predicted_uncorrected_in_system =
        s.achieved_rps * static_cast<double>(s.uncorrected_sum_ns) / static_cast<double>(n) / 1e9;
  }
  return f;
}

}  // namespace fb::harness
