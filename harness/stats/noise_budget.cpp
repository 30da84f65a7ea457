#include "harness/stats/noise_budget.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fb::harness {
namespace {

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

// Sample variance (n - 1 in the denominator); callers ensure n >= 2.
double sample_variance(const std::vector<double>& v) {
  const double m = mean(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return ss / static_cast<double>(v.size() - 1);
}

}  // namespace

NoiseBudget noise_budget(const std::vector<std::vector<double>>& blocks) {
  NoiseBudget b;
  std::vector<double> process_means;
  std::vector<double> within_variances;
  std::size_t min_blocks = 0;
  for (const std::vector<double>& p : blocks) {
    if (p.empty()) continue;
    process_means.push_back(mean(p));
    min_blocks = process_means.size() == 1 ? p.size() : std::min(min_blocks, p.size());
    if (p.size() >= 2) within_variances.push_back(sample_variance(p));
  }
  b.processes = process_means.size();
  b.blocks = min_blocks;
  if (process_means.empty()) return b;
  const double grand = mean(process_means);
  if (grand == 0) return b;  // nothing measured: no relative figure means anything
  auto cv_pct = [grand](double variance) { return std::sqrt(variance) / std::abs(grand) * 100.0; };
  if (within_variances.empty()) return b;
  const double within = mean(within_variances);
  b.within_pct = cv_pct(within);
  if (process_means.size() < 2) return b;
  const double between = std::max(0.0, sample_variance(process_means) - within / static_cast<double>(min_blocks));
  b.between_pct = cv_pct(between);
  b.between_share = between + within > 0 ? between / (between + within) : 0.0;
  return b;
}

}  // namespace fb::harness
