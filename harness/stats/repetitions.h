// "How many repetitions would settle it?": the estimate an INCONCLUSIVE gate verdict prints.
// Pure functions.
#pragma once

#include <cstddef>

namespace fb::harness {

// The q-quantile of the standard normal distribution, q in (0, 1) (bisection on erfc, to
// ~1e-12). normal_quantile(0.975) = 1.95996.
double normal_quantile(double q);

// What the gate saw for one stage and the bound it has to decide against.
struct DecisionEvidence {
  std::size_t n_baseline = 0, n_candidate = 0;  // repetitions on each side
  double ratio = 1, ci_low = 1, ci_high = 1;     // candidate / baseline with its interval
  double p_value = 1;                            // Mann-Whitney, two-sided
  double bound = 1.05;                           // 1 + threshold
  double alpha = 0.01;
};

// Repetitions per side with which the gate would probably decide, if the observed ratio and
// noise stayed as they are. The estimate is the largest of:
//  1. min_repetitions_for_alpha(alpha), below which Mann-Whitney can never be significant;
//  2. the interval must clear the bound: an interval's half-width shrinks like 1/sqrt(n), so
//     with h the observed half-width on the bound's side (in log space, ln(ci_high / ratio)
//     when the ratio is below the bound, ln(ratio / ci_low) when above) and d = |ln(ratio /
//     bound)| the distance to clear, n_needed = n_eff * (h / d)^2;
//  3. when the ratio is above the bound (a regression in the making), significance too: the
//     test's z grows like sqrt(n), so n_needed = n_eff * (z(alpha) / z(p))^2 with
//     z(q) = normal_quantile(1 - q / 2).
// n_eff = 2 / (1 / n_baseline + 1 / n_candidate) (equal sizes: n). The result is at least
// n_eff + 1 (the evidence at hand did not decide) and at most kMaxRepetitionsSearched
// (rank_test.h), which also stands for "the ratio sits on the bound: no finite number".
// A rough guide, not a power analysis: it assumes the noise stays the same.
std::size_t repetitions_needed(const DecisionEvidence& evidence);

}  // namespace fb::harness
