#include "harness/stats/bimodality.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "harness/stats/aggregate.h"

namespace fb::harness {
namespace {

struct Moments {
  double mean = 0, variance = 0;  // population variance
};

Moments moments(const std::vector<double>& v, std::size_t from, std::size_t to) {
  Moments m;
  const double n = static_cast<double>(to - from);
  for (std::size_t i = from; i < to; ++i) m.mean += v[i];
  m.mean /= n;
  for (std::size_t i = from; i < to; ++i) m.variance += (v[i] - m.mean) * (v[i] - m.mean);
  m.variance /= n;
  return m;
}

}  // namespace

std::optional<Bimodality> find_two_clusters(const std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 2 * kMinPerCluster) return std::nullopt;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = values[order[i]];

  // The split: sorted[0, k) low, sorted[k, n) high, with the least within-cluster sum of squares.
  std::size_t best_k = 0;
  double best_ss = std::numeric_limits<double>::infinity();
  for (std::size_t k = kMinPerCluster; k + kMinPerCluster <= n; ++k) {
    const Moments lo = moments(sorted, 0, k), hi = moments(sorted, k, n);
    const double ss = lo.variance * static_cast<double>(k) + hi.variance * static_cast<double>(n - k);
    if (ss < best_ss) {
      best_ss = ss;
      best_k = k;
    }
  }
  const Moments lo = moments(sorted, 0, best_k), hi = moments(sorted, best_k, n);
  Bimodality b;
  const double spread = std::sqrt(lo.variance + hi.variance);
  b.ashman_d = spread > 0 ? std::sqrt(2.0) * std::abs(hi.mean - lo.mean) / spread : std::numeric_limits<double>::infinity();
  b.low.median = median(std::vector<double>(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(best_k)));
  b.high.median = median(std::vector<double>(sorted.begin() + static_cast<std::ptrdiff_t>(best_k), sorted.end()));
  if (b.low.median <= 0) return std::nullopt;
  b.separation = b.high.median / b.low.median - 1;
  if (b.ashman_d <= kMinAshmanD || b.separation < kMinSeparation) return std::nullopt;
  b.low.members.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(best_k));
  b.high.members.assign(order.begin() + static_cast<std::ptrdiff_t>(best_k), order.end());
  std::sort(b.low.members.begin(), b.low.members.end());
  std::sort(b.high.members.begin(), b.high.members.end());
  return b;
}

}  // namespace fb::harness
