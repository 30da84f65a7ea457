// The ratio of two medians (candidate / baseline) with a bootstrap confidence interval: "how
// much slower or faster is the candidate", as a factor. Pure functions over vectors.
#pragma once

#include <cstdint>
#include <vector>

namespace fb::harness {

struct RatioEstimate {
  double ratio = 1;    // median(candidate) / median(baseline); see ratio_of() for zeros
  double ci_low = 1;   // percentile bootstrap interval at kConfidence (aggregate.h)
  double ci_high = 1;
};

// c / b with the zero cases spelled out: b = 0 and c = 0 -> 1 (nothing measured on either
// side is no change); b = 0 and c > 0 -> +infinity (a cost that did not exist before).
double ratio_of(double candidate, double baseline);

// Point estimate ratio_of(median(candidate), median(baseline)) and its interval, resampling
// both sides independently kBootstrapResamples times (seeded: same inputs, same interval).
// Edge cases: either side empty -> ratio 1 with the interval [0, +infinity] (anything is
// possible); either side with fewer than 3 values -> the interval is the range of ratio_of
// over all pairs (candidate_j, baseline_i), because a bootstrap of one or two points only
// echoes them; zero medians inside resamples follow ratio_of, so an interval end may be
// +infinity.
RatioEstimate ratio_of_medians(const std::vector<double>& baseline, const std::vector<double>& candidate,
                               std::uint64_t seed = 20261127);

}  // namespace fb::harness
