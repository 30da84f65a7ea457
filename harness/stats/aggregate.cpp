#include "harness/stats/aggregate.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace fb::harness {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

Aggregate aggregate(const std::vector<double>& values, std::uint64_t seed) {
  Aggregate a;
  a.n = values.size();
  if (values.empty()) return a;
  a.median = median(values);
  a.min = *std::min_element(values.begin(), values.end());
  a.max = *std::max_element(values.begin(), values.end());
  a.spread_pct = a.median != 0 ? (a.max - a.min) / std::abs(a.median) * 100.0 : 0;
  if (values.size() < 3) {
    a.ci_low = a.min;
    a.ci_high = a.max;
    return a;
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  std::vector<double> medians;
  medians.reserve(kBootstrapResamples);
  std::vector<double> sample(values.size());
  for (int i = 0; i < kBootstrapResamples; ++i) {
    for (double& v : sample) v = values[pick(rng)];
    medians.push_back(median(sample));
  }
  std::sort(medians.begin(), medians.end());
  const double tail = (1 - kConfidence) / 2;
  a.ci_low = quantile_sorted(medians, tail);
  a.ci_high = quantile_sorted(medians, 1 - tail);
  return a;
}

Saving saving(const std::vector<double>& before, const std::vector<double>& after, std::uint64_t seed) {
  Saving out;
  if (before.empty() || after.empty()) return out;
  const double mb = median(before);
  const double ma = median(after);
  auto fill = [](Aggregate& a, double point, std::vector<double>& samples, std::size_t n) {
    std::sort(samples.begin(), samples.end());
    a.n = n;
    a.median = point;
    a.min = samples.front();
    a.max = samples.back();
    const double tail = (1 - kConfidence) / 2;
    a.ci_low = quantile_sorted(samples, tail);
    a.ci_high = quantile_sorted(samples, 1 - tail);
  };
  std::vector<double> abs_samples, pct_samples;
  if (before.size() < 3 || after.size() < 3) {
    for (double b : before) {
      for (double a : after) {
        abs_samples.push_back(b - a);
        pct_samples.push_back(b != 0 ? (b - a) / b * 100.0 : 0.0);
      }
    }
    fill(out.absolute, mb - ma, abs_samples, std::min(before.size(), after.size()));
    fill(out.percent, mb != 0 ? (mb - ma) / mb * 100.0 : 0.0, pct_samples, std::min(before.size(), after.size()));
    out.absolute.ci_low = out.absolute.min;
    out.absolute.ci_high = out.absolute.max;
    out.percent.ci_low = out.percent.min;
    out.percent.ci_high = out.percent.max;
    return out;
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick_b(0, before.size() - 1), pick_a(0, after.size() - 1);
  std::vector<double> sb(before.size()), sa(after.size());
  for (int i = 0; i < kBootstrapResamples; ++i) {
    for (double& v : sb) v = before[pick_b(rng)];
    for (double& v : sa) v = after[pick_a(rng)];
    const double b = median(sb), a = median(sa);
    abs_samples.push_back(b - a);
    pct_samples.push_back(b != 0 ? (b - a) / b * 100.0 : 0.0);
  }
  fill(out.absolute, mb - ma, abs_samples, std::min(before.size(), after.size()));
  fill(out.percent, mb != 0 ? (mb - ma) / mb * 100.0 : 0.0, pct_samples, std::min(before.size(), after.size()));
  return out;
}

}  // namespace fb::harness
