// The Mann-Whitney U test (Wilcoxon rank-sum test), two-sided, over two independent samples:
// does one tend to give larger values than the other? Pure functions over vectors.
//
// The gate applies it to one value per repetition (e.g. each run's total p50), so samples are
// small (3-30) and, because per-run percentiles come from log-linear histograms (buckets
// ~0.8 % wide), ties between repetitions are common. Hence two ways to the p-value:
//
//  - exact: the permutation distribution of the rank sum of x, conditional on the observed
//    ties (mid-ranks), counted by dynamic programming over all C(n_x + n_y, n_x) ways to split
//    the pooled values. Valid with and without ties. Used when n_x + n_y <= kExactMaxSamples.
//  - normal: the normal approximation with the tie-corrected variance and a continuity
//    correction (as scipy.stats.mannwhitneyu, method="asymptotic", use_continuity=True).
//    Used for larger samples, where it is accurate.
//
// Why not the normal approximation for small samples with ties (as many tools do): at 5 vs 5
// it can never go below p = 0.0117 even for completely separated samples, so a gate at
// alpha = 0.01 could never fire once two repetitions share a histogram bucket. The exact
// conditional distribution gives 2/252 = 0.0079 there, as the tie-free table does.
#pragma once

#include <cstddef>
#include <vector>

namespace fb::harness {

// Pooled sample sizes up to this use the exact distribution. At 50 the counting table has
// 25 x 2551 cells and every count (at most C(50, 25) ~ 1.3e14) is exact in a double.
inline constexpr std::size_t kExactMaxSamples = 50;

enum class PValueMethod { exact, normal };

struct MannWhitney {
  std::size_t n_x = 0, n_y = 0;
  double u_x = 0;       // pairs (x_i, y_j) with x_i > y_j, ties counted 1/2
  double u_y = 0;       // n_x * n_y - u_x
  double p_value = 1;   // two-sided
  PValueMethod method = PValueMethod::exact;
  bool ties = false;    // some value occurs more than once in the pooled sample
};

// Two-sided test of x against y. Edge cases: an empty sample -> p = 1 (no evidence either
// way); every value equal -> p = 1 (the ranks carry no information); n < 3 per side is
// allowed but can never be significant at usual alphas (see min_two_sided_p).
MannWhitney mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// The two p-value methods on their own (tests pin each against hand-computed values).
// exact: 2 * min(P(W <= w), P(W >= w)) capped at 1, W the rank sum of x over all splits of
// the pooled values with their mid-ranks. normal: z = (|U - n_x n_y / 2| - 1/2) / sigma,
// sigma^2 = n_x n_y / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))) over tie groups of size t,
// p = erfc(z / sqrt 2) capped at 1; sigma = 0 (all values tied) -> p = 1.
double mann_whitney_exact_p(const std::vector<double>& x, const std::vector<double>& y);
double mann_whitney_normal_p(const std::vector<double>& x, const std::vector<double>& y);

// The smallest two-sided p the test can give for these sizes: 2 / C(n_x + n_y, n_x), when the
// samples are completely separated without ties. 3 vs 3 -> 0.1, 4 vs 4 -> 0.029,
// 5 vs 5 -> 0.0079, 6 vs 6 -> 0.0022. Either size 0 -> 1.
double min_two_sided_p(std::size_t n_x, std::size_t n_y);

// The fewest repetitions per side (equal sizes) for which min_two_sided_p < alpha, i.e. for
// which the test can reach significance at all: alpha 0.05 -> 4, 0.01 -> 5, 0.001 -> 7.
// alpha must be in (0, 1]; alpha <= 0 has no such n and returns kMaxRepetitionsSearched.
inline constexpr std::size_t kMaxRepetitionsSearched = 1000;
std::size_t min_repetitions_for_alpha(double alpha);

}  // namespace fb::harness
