#include "harness/stats/repetitions.h"

#include <algorithm>
#include <cmath>

#include "harness/stats/rank_test.h"

namespace fb::harness {

double normal_quantile(double q) {
  if (q <= 0) return -INFINITY;
  if (q >= 1) return INFINITY;
  // P(Z <= z) = erfc(-z / sqrt 2) / 2 rises with z: bisect.
  double lo = -40, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    const double mid = (lo + hi) / 2;
    if (std::erfc(-mid / std::sqrt(2.0)) / 2 < q) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

std::size_t repetitions_needed(const DecisionEvidence& e) {
  const double cap = static_cast<double>(kMaxRepetitionsSearched);
  if (e.n_baseline == 0 || e.n_candidate == 0) return min_repetitions_for_alpha(e.alpha);
  const double n_eff = 2.0 / (1.0 / static_cast<double>(e.n_baseline) + 1.0 / static_cast<double>(e.n_candidate));
  double needed = std::max(static_cast<double>(min_repetitions_for_alpha(e.alpha)), n_eff + 1);

  // 2. The interval clears the bound.
  if (std::isfinite(e.ratio) && e.ratio > 0) {
    const double d = std::abs(std::log(e.ratio / e.bound));
    const bool above = e.ratio > e.bound;
    const double edge = above ? e.ci_low : e.ci_high;
    const double h = (edge > 0 && std::isfinite(edge)) ? std::abs(std::log(above ? e.ratio / edge : edge / e.ratio)) : INFINITY;
    if (d == 0 || !std::isfinite(h)) return kMaxRepetitionsSearched;
    needed = std::max(needed, n_eff * (h / d) * (h / d));
  }
  // 3. Significance, when the change is beyond the bound.
  if (e.ratio > e.bound && e.p_value >= e.alpha) {
    const double z_now = normal_quantile(1 - e.p_value / 2);
    if (!(z_now > 0)) return kMaxRepetitionsSearched;
    const double z_need = normal_quantile(1 - e.alpha / 2);
    needed = std::max(needed, n_eff * (z_need / z_now) * (z_need / z_now));
  }
  return static_cast<std::size_t>(std::ceil(std::min(needed, cap)));
}

}  // namespace fb::harness
