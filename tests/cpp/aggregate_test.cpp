#include "harness/stats/aggregate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <random>
#include <vector>

using namespace fb::harness;

namespace {

// Coverage on data with a known answer: kTrials samples from a distribution whose median is
// known, each with its own interval; a 95 % interval must contain the true value in about 95 % of
// them. Seeded (samples and bootstrap alike), so the count is the same on every run; the band
// [90 %, 99 %] is wide enough for any seed (at 95 % true coverage, 400 trials give 380 +- 4.4
// as one standard deviation: the band is 4.5 of them below and 3.6 above).
constexpr int kTrials = 400;

// Log-normal samples with median `median` (exp of the normal's mean) and sigma 0.5: skewed, as
// latencies are.
std::vector<double> lognormal_sample(std::mt19937_64& rng, std::size_t n, double median) {
  std::lognormal_distribution<double> dist(std::log(median), 0.5);
  std::vector<double> v(n);
  for (double& x : v) x = dist(rng);
  return v;
}

void expect_coverage(int covered, const char* what) {
  std::printf("%s: the 95 %% interval covered the true value in %d of %d trials\n", what, covered, kTrials);
  EXPECT_GE(covered, kTrials * 90 / 100) << what << ": the interval misses the true value too often";
  EXPECT_LE(covered, kTrials * 99 / 100) << what << ": the interval is far wider than 95 %";
}

}  // namespace

TEST(Median, OddEvenEmpty) {
  EXPECT_EQ(median({}), 0);
  EXPECT_EQ(median({3}), 3);
  EXPECT_EQ(median({5, 1, 3}), 3);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
}

TEST(QuantileSorted, NearestRank) {
  const std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(quantile_sorted(v, 0.0), 1);
  EXPECT_EQ(quantile_sorted(v, 0.25), 3);  // ceil(2.5) = 3rd
  EXPECT_EQ(quantile_sorted(v, 0.5), 5);
  EXPECT_EQ(quantile_sorted(v, 1.0), 10);
}

TEST(Aggregate, FewSamplesUseMinMax) {
  const Aggregate a = aggregate({10, 14});
  EXPECT_EQ(a.n, 2u);
  EXPECT_EQ(a.median, 12);
  EXPECT_EQ(a.ci_low, 10);
  EXPECT_EQ(a.ci_high, 14);
  EXPECT_NEAR(a.spread_pct, 4.0 / 12.0 * 100, 1e-9);
}

TEST(Aggregate, BootstrapIntervalBracketsMedianAndIsDeterministic) {
  const std::vector<double> v = {100, 101, 99, 102, 98, 100, 103, 97, 100, 150};
  const Aggregate a = aggregate(v);
  const Aggregate b = aggregate(v);
  EXPECT_EQ(a.median, 100);
  EXPECT_LE(a.ci_low, a.median);
  EXPECT_GE(a.ci_high, a.median);
  EXPECT_GE(a.ci_low, 97);
  EXPECT_LE(a.ci_high, 103);  // the outlier 150 cannot drag a median's CI that far
  EXPECT_EQ(a.ci_low, b.ci_low);
  EXPECT_EQ(a.ci_high, b.ci_high);
}

TEST(Aggregate, ConstantSamplesHaveZeroWidth) {
  const Aggregate a = aggregate({7, 7, 7, 7});
  EXPECT_EQ(a.ci_low, 7);
  EXPECT_EQ(a.ci_high, 7);
  EXPECT_EQ(a.spread_pct, 0);
}

TEST(Aggregate, ZeroMedianHasZeroSpread) {
  EXPECT_EQ(aggregate({0, 0, 0}).spread_pct, 0);
}

// Hand-computed: before {10, 12, 14} (median 12), after {6, 6, 9} (median 6): saving 6 = 50 %.
TEST(Saving, PointEstimateAndIntervalBracketIt) {
  const Saving s = saving({10, 12, 14}, {6, 6, 9});
  EXPECT_EQ(s.absolute.median, 6);
  EXPECT_EQ(s.percent.median, 50);
  EXPECT_LE(s.absolute.ci_low, 6);
  EXPECT_GE(s.absolute.ci_high, 6);
  // Medians of resamples lie in [10, 14] and [6, 9]: the saving in [1, 8].
  EXPECT_GE(s.absolute.ci_low, 1);
  EXPECT_LE(s.absolute.ci_high, 8);
}

TEST(Saving, FewSamplesUseTheRangeOfPairs) {
  const Saving s = saving({10}, {4, 6});
  EXPECT_EQ(s.absolute.median, 5);
  EXPECT_EQ(s.absolute.ci_low, 4);
  EXPECT_EQ(s.absolute.ci_high, 6);
  EXPECT_EQ(s.percent.ci_low, 40);
  EXPECT_EQ(s.percent.ci_high, 60);
}

TEST(Saving, EmptySideGivesZeros) {
  EXPECT_EQ(saving({}, {1, 2}).absolute.n, 0u);
}

TEST(Aggregate, IntervalCoversTheTrueMedianAboutNinetyFivePercentOfTheTime) {
  int covered = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::mt19937_64 rng(1000 + static_cast<std::uint64_t>(trial));
    const Aggregate a = aggregate(lognormal_sample(rng, 200, 1.0), 77 + static_cast<std::uint64_t>(trial));
    if (a.ci_low <= 1.0 && 1.0 <= a.ci_high) ++covered;
  }
  expect_coverage(covered, "median of 200");
}

TEST(Saving, IntervalCoversTheTrueDifferenceAboutNinetyFivePercentOfTheTime) {
  // Medians 1.2 before and 1.0 after: the saving is 0.2, or 0.2 / 1.2 = 16.7 %.
  int absolute = 0, percent = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::mt19937_64 rng(5000 + static_cast<std::uint64_t>(trial));
    const std::vector<double> before = lognormal_sample(rng, 100, 1.2), after = lognormal_sample(rng, 100, 1.0);
    const Saving s = saving(before, after, 77 + static_cast<std::uint64_t>(trial));
    if (s.absolute.ci_low <= 0.2 && 0.2 <= s.absolute.ci_high) ++absolute;
    if (s.percent.ci_low <= 100 * 0.2 / 1.2 && 100 * 0.2 / 1.2 <= s.percent.ci_high) ++percent;
  }
  expect_coverage(absolute, "saving, absolute");
  expect_coverage(percent, "saving, percent");
}
