// Statistics over repetitions: the median of per-repetition values with a bootstrap confidence
// interval, and the spread pyperf would warn about. Pure functions over vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fb::harness {

// Resamples for the bootstrap CI: 2000 keeps the 2.5/97.5 % quantiles stable to ~1 % of the
// interval width for the small samples (3-30 repetitions) the harness takes.
inline constexpr int kBootstrapResamples = 2000;
inline constexpr double kConfidence = 0.95;

struct Aggregate {
  std::size_t n = 0;
  double median = 0;
  double ci_low = 0;   // bootstrap percentile interval of the median at kConfidence
  double ci_high = 0;
  double min = 0;
  double max = 0;
  double spread_pct = 0;  // (max - min) / median * 100; 0 when the median is 0
};

// Median of `values` (mean of the two middle values for even n). Empty -> 0.
double median(std::vector<double> values);

// Nearest-rank quantile q in [0, 1] of sorted values. Empty -> 0.
double quantile_sorted(const std::vector<double>& sorted, double q);

// Aggregates repetitions. Edge cases: n = 0 -> all zero; n < 3 -> the CI is [min, max]
// (a bootstrap of one or two points only echoes them); otherwise a percentile bootstrap of
// the median, seeded so the same inputs give the same interval.
Aggregate aggregate(const std::vector<double>& values, std::uint64_t seed = 20261127);

// The saving median(before) - median(after) (positive: `after` is faster), in absolute units
// and as a percentage of median(before), each with a bootstrap CI that resamples both sides
// independently. Either side with fewer than 3 values -> the CI is the range over all pairs.
struct Saving {
  Aggregate absolute;  // only median, ci_low, ci_high, n are meaningful
  Aggregate percent;
};
Saving saving(const std::vector<double>& before, const std::vector<double>& after, std::uint64_t seed = 20261127);

}  // namespace fb::harness
