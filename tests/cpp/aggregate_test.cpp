#include "harness/stats/aggregate.h"

#include <gtest/gtest.h>

using namespace fb::harness;

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
