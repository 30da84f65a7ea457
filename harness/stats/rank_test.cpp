#include "harness/stats/rank_test.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace fb::harness {
namespace {

// The pooled sample's doubled mid-ranks (integers: a tie group over 1-based positions i..j
// has mid-rank (i + j) / 2, doubled i + j), in input order: x first, then y. Also the tie term
// sum(t^3 - t) over tie groups.
struct Ranks {
  std::vector<std::int64_t> doubled;
  double tie_term = 0;
};

Ranks pooled_ranks(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size() + y.size();
  std::vector<std::pair<double, std::size_t>> pooled;
  pooled.reserve(n);
  for (std::size_t i = 0; i < x.size(); ++i) pooled.emplace_back(x[i], i);
  for (std::size_t i = 0; i < y.size(); ++i) pooled.emplace_back(y[i], x.size() + i);
  std::sort(pooled.begin(), pooled.end());
  Ranks r;
  r.doubled.resize(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && pooled[j + 1].first == pooled[i].first) ++j;
    const auto doubled = static_cast<std::int64_t>(i + 1 + j + 1);
    for (std::size_t k = i; k <= j; ++k) r.doubled[pooled[k].second] = doubled;
    const double t = static_cast<double>(j - i + 1);
    r.tie_term += t * t * t - t;
    i = j + 1;
  }
  return r;
}

// U of x from the doubled rank sum of x: U_x = R_x - n_x (n_x + 1) / 2.
double u_of_x(const Ranks& r, std::size_t n_x) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < n_x; ++i) sum += r.doubled[i];
  const double nx = static_cast<double>(n_x);
  return static_cast<double>(sum) / 2.0 - nx * (nx + 1) / 2.0;
}

}  // namespace

double mann_whitney_exact_p(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || y.empty()) return 1;
  const Ranks r = pooled_ranks(x, y);
  const std::size_t n = r.doubled.size();
  const std::size_t nx = x.size();
  std::int64_t observed = 0;
  for (std::size_t i = 0; i < nx; ++i) observed += r.doubled[i];
  // ways[k][s]: subsets of k pooled values whose doubled ranks sum to s. Every split of the
  // pooled values into x and y is equally likely under the null hypothesis, so the rank sum's
  // distribution is ways[n_x][.] / C(n, n_x).
  const auto max_sum = static_cast<std::size_t>(n * (n + 1));  // all doubled ranks together
  std::vector<std::vector<double>> ways(nx + 1, std::vector<double>(max_sum + 1, 0.0));
  ways[0][0] = 1;
  for (std::size_t item = 0; item < n; ++item) {
    const auto rank = static_cast<std::size_t>(r.doubled[item]);
    for (std::size_t k = std::min(item + 1, nx); k >= 1; --k) {
      for (std::size_t s = max_sum; s >= rank; --s) ways[k][s] += ways[k - 1][s - rank];
    }
  }
  double total = 0, at_most = 0, at_least = 0;
  for (std::size_t s = 0; s <= max_sum; ++s) {
    const double w = ways[nx][s];
    total += w;
    if (static_cast<std::int64_t>(s) <= observed) at_most += w;
    if (static_cast<std::int64_t>(s) >= observed) at_least += w;
  }
  return std::min(1.0, 2.0 * std::min(at_most, at_least) / total);
}

double mann_whitney_normal_p(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || y.empty()) return 1;
  const Ranks r = pooled_ranks(x, y);
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  const double n = nx + ny;
  const double mu = nx * ny / 2;
  // n = 1 cannot happen here (both sides non-empty), so n (n - 1) > 0.
  const double variance = nx * ny / 12.0 * ((n + 1) - r.tie_term / (n * (n - 1)));
  if (variance <= 0) return 1;  // every value tied: no ordering information at all
  const double distance = std::abs(u_of_x(r, x.size()) - mu) - 0.5;  // continuity correction
  if (distance <= 0) return 1;
  const double z = distance / std::sqrt(variance);
  return std::min(1.0, std::erfc(z / std::sqrt(2.0)));
}

MannWhitney mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney m;
  m.n_x = x.size();
  m.n_y = y.size();
  if (x.empty() || y.empty()) return m;  // p = 1: no evidence either way
  const Ranks r = pooled_ranks(x, y);
  m.u_x = u_of_x(r, x.size());
  m.u_y = static_cast<double>(m.n_x * m.n_y) - m.u_x;
  m.ties = r.tie_term > 0;
  if (m.n_x + m.n_y <= kExactMaxSamples) {
    m.method = PValueMethod::exact;
    m.p_value = mann_whitney_exact_p(x, y);
  } else {
    m.method = PValueMethod::normal;
    m.p_value = mann_whitney_normal_p(x, y);
  }
  return m;
}

double min_two_sided_p(std::size_t n_x, std::size_t n_y) {
  if (n_x == 0 || n_y == 0) return 1;
  // C(n_x + n_y, n_x) as a product of ratios (in doubles: overflow only far beyond any use).
  double splits = 1;
  const std::size_t k = std::min(n_x, n_y);
  for (std::size_t i = 1; i <= k; ++i) splits = splits * static_cast<double>(n_x + n_y - k + i) / static_cast<double>(i);
  return std::min(1.0, 2.0 / splits);
}

std::size_t min_repetitions_for_alpha(double alpha) {
  for (std::size_t n = 1; n < kMaxRepetitionsSearched; ++n) {
    if (min_two_sided_p(n, n) < alpha) return n;
  }
  return kMaxRepetitionsSearched;
}

}  // namespace fb::harness
