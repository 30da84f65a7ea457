// How a run's load went (runs[].load), from what the load generator recorded: the offered and
// achieved rates, lateness, whether the run was saturated, and Little's law checked against an
// independent count of the requests in the system. Pure functions, computed once per run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/load/load_result.h"

namespace fb::harness {

// A run whose achieved rate is more than this share below its offered rate is saturated: the
// pipeline (or the generator) did not keep up, and its latencies describe a growing queue.
inline constexpr double kSaturationShortfall = 0.05;
// Little's law holds when the sampled mean in system and achieved rate x mean latency differ by
// at most this share, or by at most kLittleStandardErrors standard errors of the sampled mean
// (at low load a few hundredths of a request are in the system, and a relative test alone
// would judge the sampling noise).
inline constexpr double kLittleTolerance = 0.10;
inline constexpr double kLittleStandardErrors = 3.0;
// Below this many requests in the system on average the law is not checked: the sampler needs a
// CPU to look, and on 2 vCPUs its own wake-up can preempt the request in flight, which at a few
// hundredths of a request in the system moves the sampled mean by as much as it is.
inline constexpr double kLittleMinInSystem = 0.1;

struct LittleCheck {
  std::uint64_t samples = 0;
  double measured_in_system = 0;   // sampled mean of (due - answered)
  double standard_error = 0;       // of that mean, samples taken as independent
  double predicted_in_system = 0;  // achieved_rps x mean total (L = lambda W)
  double relative_difference = 0;  // (measured - predicted) / predicted; 0 when predicted is 0
  // The same with the uncorrected mean (arrive -> response): what coordinated omission would
  // claim; below the sampled count by the queueing it hides. 0 when not known.
  double predicted_uncorrected_in_system = 0;
  bool checked = false;            // enough requests in the system, and samples, to judge
  bool holds = true;               // true when not checked
};

// L = lambda W, with lambda the achieved rate and W the mean `total` (from the intended time).
LittleCheck check_littles_law(const InFlightFigures& sampled, double achieved_rps, double mean_total_ns);

struct LoadFigures {
  std::string mode = "closed";         // closed | open | replay
  std::optional<double> offered_rps;   // none in a closed loop: it takes what it gets
  double achieved_rps = 0;
  double achieved_ratio = 1;           // achieved / offered
  bool saturated = false;              // achieved_ratio < 1 - kSaturationShortfall
  std::uint64_t scheduled = 0;
  double window_s = 0;
  std::uint64_t late_sends = 0;
  std::int64_t late_threshold_ns = 0;
  std::int64_t max_lag_ns = 0;
  std::optional<LittleCheck> little;   // open loop and replay
};

// `mean_total_ns`: the run's mean `total` (from the intended send times).
LoadFigures load_figures(const LoadResult& load, double mean_total_ns);

}  // namespace fb::harness
