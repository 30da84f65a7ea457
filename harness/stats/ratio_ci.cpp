#include "harness/stats/ratio_ci.h"

#include <algorithm>
#include <limits>
#include <random>

#include "harness/stats/aggregate.h"

namespace fb::harness {

double ratio_of(double candidate, double baseline) {
  if (baseline == 0) return candidate == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  return candidate / baseline;
}

RatioEstimate ratio_of_medians(const std::vector<double>& baseline, const std::vector<double>& candidate,
                               std::uint64_t seed) {
  RatioEstimate out;
  if (baseline.empty() || candidate.empty()) {
    out.ci_low = 0;
    out.ci_high = std::numeric_limits<double>::infinity();
    return out;
  }
  out.ratio = ratio_of(median(candidate), median(baseline));
  std::vector<double> ratios;
  if (baseline.size() < 3 || candidate.size() < 3) {
    for (double b : baseline) {
      for (double c : candidate) ratios.push_back(ratio_of(c, b));
    }
    out.ci_low = *std::min_element(ratios.begin(), ratios.end());
    out.ci_high = *std::max_element(ratios.begin(), ratios.end());
    return out;
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick_b(0, baseline.size() - 1), pick_c(0, candidate.size() - 1);
  std::vector<double> sb(baseline.size()), sc(candidate.size());
  ratios.reserve(kBootstrapResamples);
  for (int i = 0; i < kBootstrapResamples; ++i) {
    for (double& v : sb) v = baseline[pick_b(rng)];
    for (double& v : sc) v = candidate[pick_c(rng)];
    ratios.push_back(ratio_of(median(sc), median(sb)));
  }
  std::sort(ratios.begin(), ratios.end());
  const double tail = (1 - kConfidence) / 2;
  out.ci_low = quantile_sorted(ratios, tail);
  out.ci_high = quantile_sorted(ratios, 1 - tail);
  return out;
}

}  // namespace fb::harness
