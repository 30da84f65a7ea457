// The ratio of medians with its bootstrap interval, and the repetitions-needed estimate,
// against hand-computed values.
#include "harness/stats/ratio_ci.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "harness/stats/rank_test.h"
#include "harness/stats/repetitions.h"

using namespace fb::harness;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(RatioOf, ZerosSpelledOut) {
  EXPECT_EQ(ratio_of(6, 3), 2);
  EXPECT_EQ(ratio_of(0, 0), 1);     // nothing measured on either side: no change
  EXPECT_EQ(ratio_of(5, 0), kInf);  // a cost that did not exist before
  EXPECT_EQ(ratio_of(0, 4), 0);
}

TEST(RatioOfMedians, PointEstimateAndBoundsOfTheInterval) {
  // Medians 100 and 120: ratio 1.2. Resampled medians stay within each sample's range, so the
  // interval lies within [110/102, 125/98] = [1.0784, 1.2755].
  const std::vector<double> base = {98, 99, 100, 101, 102}, cand = {110, 118, 120, 122, 125};
  const RatioEstimate r = ratio_of_medians(base, cand);
  EXPECT_DOUBLE_EQ(r.ratio, 1.2);
  EXPECT_LE(r.ci_low, 1.2);
  EXPECT_GE(r.ci_high, 1.2);
  EXPECT_GE(r.ci_low, 110.0 / 102);
  EXPECT_LE(r.ci_high, 125.0 / 98);
  const RatioEstimate again = ratio_of_medians(base, cand);  // seeded: deterministic
  EXPECT_EQ(r.ci_low, again.ci_low);
  EXPECT_EQ(r.ci_high, again.ci_high);
}

TEST(RatioOfMedians, ConstantSamplesHaveAZeroWidthInterval) {
  const RatioEstimate r = ratio_of_medians({50, 50, 50}, {75, 75, 75});
  EXPECT_EQ(r.ratio, 1.5);
  EXPECT_EQ(r.ci_low, 1.5);
  EXPECT_EQ(r.ci_high, 1.5);
}

TEST(RatioOfMedians, FewerThanThreeUseTheRangeOfPairs) {
  // n < 3: ratios over all pairs: 9/10, 12/10, 9/8, 12/8 -> [0.9, 1.5]; medians 9 and 10.5.
  const RatioEstimate r = ratio_of_medians({8, 10}, {9, 12});
  EXPECT_DOUBLE_EQ(r.ratio, 10.5 / 9);
  EXPECT_DOUBLE_EQ(r.ci_low, 0.9);
  EXPECT_DOUBLE_EQ(r.ci_high, 1.5);
}

TEST(RatioOfMedians, EmptySideMeansAnythingIsPossible) {
  const RatioEstimate r = ratio_of_medians({}, {1, 2, 3});
  EXPECT_EQ(r.ratio, 1);
  EXPECT_EQ(r.ci_low, 0);
  EXPECT_EQ(r.ci_high, kInf);
}

TEST(RatioOfMedians, ZeroBaselineMedians) {
  // A stage nobody went through on either side: 0 / 0 -> 1 everywhere.
  const RatioEstimate none = ratio_of_medians({0, 0, 0}, {0, 0, 0});
  EXPECT_EQ(none.ratio, 1);
  EXPECT_EQ(none.ci_low, 1);
  EXPECT_EQ(none.ci_high, 1);
  // A stage that appears in the candidate only: infinitely slower.
  const RatioEstimate appears = ratio_of_medians({0, 0, 0}, {500, 510, 490});
  EXPECT_EQ(appears.ratio, kInf);
  EXPECT_EQ(appears.ci_low, kInf);
}

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(normal_quantile(0.995), 2.575829304, 1e-8);
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.025), -1.959963985, 1e-8);
}

TEST(RepetitionsNeeded, IntervalMustClearTheBound) {
  // A/A-like: ratio 1.0, interval [0.94, 1.10] at 5 vs 5, bound 1.05. Upper half-width
  // h = ln 1.10 = 0.09531, distance d = ln 1.05 = 0.04879: n = 5 * (h / d)^2 = 19.08 -> 20.
  DecisionEvidence e{5, 5, 1.0, 0.94, 1.10, 0.5, 1.05, 0.01};
  EXPECT_EQ(repetitions_needed(e), 20u);
}

TEST(RepetitionsNeeded, RegressionInTheMakingNeedsSignificanceToo) {
  // ratio 1.20, interval [1.10, 1.30], p = 0.03 at 5 vs 5, bound 1.05, alpha 0.01.
  // Interval: h = ln(1.2/1.1) = 0.08701, d = ln(1.2/1.05) = 0.13353 -> 5 * 0.4246 = 2.1.
  // Significance: z(0.03) = 2.1701, z(0.01) = 2.5758 -> 5 * (2.5758/2.1701)^2 = 7.04 -> 8.
  DecisionEvidence e{5, 5, 1.20, 1.10, 1.30, 0.03, 1.05, 0.01};
  EXPECT_EQ(repetitions_needed(e), 8u);
}

TEST(RepetitionsNeeded, NeverBelowTheMinimumForAlphaNorTheCurrentCount) {
  // 3 vs 3 at alpha 0.01, interval [0.99, 1.06]: the interval alone would need
  // 3 * (ln 1.06 / ln 1.05)^2 = 4.28, but Mann-Whitney needs 5 per side to reach 0.01 at all.
  DecisionEvidence e{3, 3, 1.0, 0.99, 1.06, 0.9, 1.05, 0.01};
  EXPECT_EQ(repetitions_needed(e), 5u);
  // 10 vs 10, tiny shortfall: at least 11.
  DecisionEvidence f{10, 10, 1.0, 0.99, 1.0501, 0.9, 1.05, 0.01};
  EXPECT_EQ(repetitions_needed(f), 11u);
}

TEST(RepetitionsNeeded, RatioOnTheBoundHasNoFiniteAnswer) {
  DecisionEvidence e{5, 5, 1.05, 1.0, 1.10, 0.2, 1.05, 0.01};
  EXPECT_EQ(repetitions_needed(e), kMaxRepetitionsSearched);
}

// Coverage on data with a known answer: 400 pairs of log-normal samples (sigma 0.5, 100 values
// each) with medians 1.0 and 1.2, so the true ratio is 1.2; the 95 % interval must contain it in
// 90-99 % of them. Seeded throughout, so the count is the same on every run (at 95 % true
// coverage one standard deviation of the count is 4.4: the band is 4.5 of them below and 3.6
// above).
TEST(RatioOfMedians, IntervalCoversTheTrueRatioAboutNinetyFivePercentOfTheTime) {
  constexpr int kTrials = 400;
  int covered = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::mt19937_64 rng(9000 + static_cast<std::uint64_t>(trial));
    std::lognormal_distribution<double> base_dist(0.0, 0.5), cand_dist(std::log(1.2), 0.5);
    std::vector<double> base(100), cand(100);
    for (double& x : base) x = base_dist(rng);
    for (double& x : cand) x = cand_dist(rng);
    const RatioEstimate r = ratio_of_medians(base, cand, 77 + static_cast<std::uint64_t>(trial));
    if (r.ci_low <= 1.2 && 1.2 <= r.ci_high) ++covered;
  }
  std::printf("ratio of medians: the 95 %% interval covered the true ratio in %d of %d trials\n", covered, kTrials);
  EXPECT_GE(covered, kTrials * 90 / 100) << "the interval misses the true ratio too often";
  EXPECT_LE(covered, kTrials * 99 / 100) << "the interval is far wider than 95 %";
}
