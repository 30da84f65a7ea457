// The noise budget against hand-computed variance components (harness/stats/noise_budget.h).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/stats/noise_budget.h"

namespace fb::harness {
namespace {

TEST(NoiseBudget, SplitsVarianceBetweenAndWithinProcesses) {
  // Process means 11 and 21 (grand mean 16); within: var{10,12} = var{20,22} = 2;
  // between = var{11,21} - 2/2 = 50 - 1 = 49.
  const NoiseBudget b = noise_budget({{10, 12}, {20, 22}});
  EXPECT_EQ(b.processes, 2u);
  EXPECT_EQ(b.blocks, 2u);
  ASSERT_TRUE(b.within_pct && b.between_pct && b.between_share);
  EXPECT_NEAR(*b.within_pct, std::sqrt(2.0) / 16 * 100, 1e-9);
  EXPECT_NEAR(*b.between_pct, 7.0 / 16 * 100, 1e-9);
  EXPECT_NEAR(*b.between_share, 49.0 / 51.0, 1e-12);
}

TEST(NoiseBudget, BetweenIsClampedAtZeroWhenMeansVaryLessThanBlockNoiseExplains) {
  // Means 12 and 12; within (8 + 2) / 2 = 5; between = 0 - 5/2 < 0 -> 0.
  const NoiseBudget b = noise_budget({{10, 14}, {11, 13}});
  ASSERT_TRUE(b.between_pct && b.between_share);
  EXPECT_EQ(*b.between_pct, 0.0);
  EXPECT_EQ(*b.between_share, 0.0);
  EXPECT_NEAR(*b.within_pct, std::sqrt(5.0) / 12 * 100, 1e-9);
}

TEST(NoiseBudget, OneProcessHasOnlyWithin) {
  const NoiseBudget b = noise_budget({{1, 2, 3}});  // var 1, mean 2
  ASSERT_TRUE(b.within_pct);
  EXPECT_NEAR(*b.within_pct, 50.0, 1e-9);
  EXPECT_FALSE(b.between_pct);
  EXPECT_FALSE(b.between_share);
}

TEST(NoiseBudget, OneBlockPerProcessOrNothingGivesNoFigures) {
  const NoiseBudget single = noise_budget({{5}, {6}});
  EXPECT_EQ(single.processes, 2u);
  EXPECT_FALSE(single.within_pct);
  EXPECT_FALSE(single.between_pct);
  const NoiseBudget empty = noise_budget({});
  EXPECT_EQ(empty.processes, 0u);
  EXPECT_FALSE(empty.within_pct);
  const NoiseBudget zeros = noise_budget({{0, 0}, {0, 0}});
  EXPECT_FALSE(zeros.within_pct);  // no relative figure of nothing
}

TEST(NoiseBudget, UnequalBlockCountsUseTheSmallestForTheCorrection) {
  // Means 2 and 5.5; within (1 + 1.6667) / 2; K = 3.
  const NoiseBudget b = noise_budget({{1, 2, 3}, {4, 5, 6, 7}});
  EXPECT_EQ(b.blocks, 3u);
  const double within = (1.0 + 5.0 / 3.0) / 2;
  const double between = 6.125 - within / 3;
  ASSERT_TRUE(b.between_pct);
  EXPECT_NEAR(*b.between_pct, std::sqrt(between) / 3.75 * 100, 1e-9);
}

}  // namespace
}  // namespace fb::harness
