// Mann-Whitney U against hand-computed values. Exact tie-free values match the classic
// tables (and scipy.stats.mannwhitneyu(method="exact")); tie cases are enumerated by hand
// below; normal-approximation values follow the formula in rank_test.h step by step (and
// match scipy's method="asymptotic").
#include "harness/stats/rank_test.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace fb::harness;

TEST(MannWhitney, CompleteSeparationThreeVsThreeIsNeverBelowTenPercent) {
  // 1 of C(6,3) = 20 splits puts {1,2,3} on one side: two-sided 2/20.
  const MannWhitney m = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_EQ(m.u_x, 0);
  EXPECT_EQ(m.u_y, 9);
  EXPECT_EQ(m.method, PValueMethod::exact);
  EXPECT_FALSE(m.ties);
  EXPECT_DOUBLE_EQ(m.p_value, 0.1);
}

TEST(MannWhitney, CompleteSeparationFiveVsFive) {
  // 2 / C(10,5) = 2 / 252 = 0.0079365: the smallest p at 5 vs 5, just below alpha 0.01.
  const MannWhitney m = mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
  EXPECT_EQ(m.u_x, 25);
  EXPECT_DOUBLE_EQ(m.p_value, 2.0 / 252);
}

TEST(MannWhitney, InterleavedSamplesFromTheTable) {
  // x = 1,3,5,7,9 beats y = 2,4,...,10 in 0+1+2+3+4 = 10 pairs. The U distribution for 5 vs 5
  // has frequencies 1,1,2,3,5,7,9,11,14,16,18 for U = 0..10: P(U <= 10) = 87/252, p = 174/252.
  const MannWhitney m = mann_whitney_u({1, 3, 5, 7, 9}, {2, 4, 6, 8, 10});
  EXPECT_EQ(m.u_x, 10);
  EXPECT_NEAR(m.p_value, 174.0 / 252, 1e-12);
}

TEST(MannWhitney, ExactWithTiesEnumeratedByHand) {
  // Pooled 1,1,2,2,3,3 -> mid-ranks 1.5,1.5,3.5,3.5,5.5,5.5 (doubled 3,3,7,7,11,11).
  // x = {1,1,2} has doubled rank sum 13. The 20 splits of size 3 by doubled sum:
  // 13:2  17:4  21:8  25:4  29:2 -> P(W <= 13) = 2/20, p = 2 * 0.1 = 0.2.
  EXPECT_NEAR(mann_whitney_exact_p({1, 1, 2}, {2, 3, 3}), 0.2, 1e-12);
  // Pooled 1,2,2,2,3 -> doubled ranks 2,6,6,6,10; x = {1,2,2} sums to 14. Splits of size 3:
  // 14:3  18:4  22:3 -> P(W <= 14) = 3/10, p = 0.6.
  EXPECT_NEAR(mann_whitney_exact_p({1, 2, 2}, {2, 3}), 0.6, 1e-12);
  const MannWhitney m = mann_whitney_u({1, 1, 2}, {2, 3, 3});
  EXPECT_TRUE(m.ties);
  EXPECT_EQ(m.method, PValueMethod::exact);
  EXPECT_EQ(m.u_x, 0.5);  // x = 2 vs y = 2 is a tie (1/2); in every other pair x < y
}

TEST(MannWhitney, TiesInsideEachSampleKeepTheExactMinimum) {
  // Repetitions that share a histogram bucket: only the split {100,100,101,102,103} reaches
  // the smallest rank sum, so p stays 2/252 < 0.01 ...
  const std::vector<double> base = {100, 100, 101, 102, 103}, cand = {110, 110, 111, 112, 113};
  EXPECT_DOUBLE_EQ(mann_whitney_u(cand, base).p_value, 2.0 / 252);
  // ... where the normal approximation cannot go below 0.0117: sigma^2 = 25/12 * (11 - 12/90)
  // = 22.639, z = (12.5 - 0.5) / 4.7581 = 2.5220, p = erfc(z / sqrt 2) = 0.011667.
  EXPECT_NEAR(mann_whitney_normal_p(cand, base), 0.011667312343319386, 1e-9);
}

TEST(MannWhitney, TieAcrossSamplesExact) {
  // Pooled 100,102,102,104,104,105,106,106,108,110: x = {100,102,102,104,105} has U = 1.5
  // (only 104 vs 104 ties). 3 of the 252 splits have a rank sum at least as extreme: p = 6/252.
  EXPECT_NEAR(mann_whitney_exact_p({100, 102, 102, 104, 105}, {104, 106, 106, 108, 110}), 6.0 / 252, 1e-12);
}

TEST(MannWhitney, NormalApproximationWithTiesByHand) {
  // x = 1,2,2,3,4; y = 2,3,5,6,6. Pooled ranks: 1 -> 1; 2,2,2 -> 3; 3,3 -> 5.5; 4 -> 7; 5 -> 8;
  // 6,6 -> 9.5. R_x = 1 + 3 + 3 + 5.5 + 7 = 19.5, U_x = 19.5 - 15 = 4.5, mu = 12.5.
  // Tie term: (27 - 3) + (8 - 2) + (8 - 2) = 36. sigma^2 = 25/12 * (11 - 36/90) = 22.0833.
  // z = (8 - 0.5) / 4.69929 = 1.59598; p = erfc(1.59598 / sqrt 2) = 0.110492.
  EXPECT_NEAR(mann_whitney_normal_p({1, 2, 2, 3, 4}, {2, 3, 5, 6, 6}), 0.11049202405566802, 1e-9);
}

TEST(MannWhitney, LargeSamplesUseTheNormalApproximation) {
  // 0..29 vs 10..39: x beats y in 1 + 2 + ... + 19 = 190 pairs and ties in 20 (1/2 each):
  // U_x = 200.
  // mu = 450, sigma^2 = 900 * 61 / 12 = 4575, z = (250 - 0.5) / 67.639 = 3.6887, p = 2.2448e-4.
  std::vector<double> x(30), y(30);
  std::iota(x.begin(), x.end(), 0.0);
  std::iota(y.begin(), y.end(), 10.0);
  const MannWhitney m = mann_whitney_u(x, y);
  EXPECT_EQ(m.method, PValueMethod::normal);
  EXPECT_EQ(m.u_x, 200);
  EXPECT_NEAR(m.p_value, 0.00022448380595775603, 1e-10);
}

TEST(MannWhitney, EdgeCases) {
  // Empty side: no evidence either way.
  EXPECT_EQ(mann_whitney_u({}, {1, 2, 3}).p_value, 1);
  EXPECT_EQ(mann_whitney_u({1}, {}).p_value, 1);
  // All values tied: the ranks say nothing; both methods give 1.
  EXPECT_EQ(mann_whitney_u({5, 5, 5}, {5, 5}).p_value, 1);
  EXPECT_EQ(mann_whitney_normal_p({5, 5, 5}, {5, 5}), 1);
  // One value per side (n < 3): allowed, exact, never significant: 2 / C(2,1) = 1.
  EXPECT_EQ(mann_whitney_u({1}, {2}).p_value, 1);
  // Identical samples: U at its mean, p = 1.
  EXPECT_EQ(mann_whitney_u({1, 2, 3, 4}, {1, 2, 3, 4}).p_value, 1);
}

TEST(MannWhitney, SymmetricInItsArguments) {
  const std::vector<double> a = {3, 1, 4, 1, 5, 9}, b = {2, 6, 5, 3, 5};
  const MannWhitney ab = mann_whitney_u(a, b), ba = mann_whitney_u(b, a);
  EXPECT_NEAR(ab.p_value, ba.p_value, 1e-12);
  EXPECT_EQ(ab.u_x, ba.u_y);
}

TEST(MinTwoSidedP, SmallestPossiblePValues) {
  EXPECT_DOUBLE_EQ(min_two_sided_p(3, 3), 0.1);
  EXPECT_DOUBLE_EQ(min_two_sided_p(4, 4), 2.0 / 70);
  EXPECT_DOUBLE_EQ(min_two_sided_p(5, 5), 2.0 / 252);
  EXPECT_DOUBLE_EQ(min_two_sided_p(6, 6), 2.0 / 924);
  EXPECT_DOUBLE_EQ(min_two_sided_p(3, 5), 2.0 / 56);
  EXPECT_EQ(min_two_sided_p(1, 1), 1);
  EXPECT_EQ(min_two_sided_p(0, 5), 1);
}

TEST(MinRepetitionsForAlpha, Table) {
  EXPECT_EQ(min_repetitions_for_alpha(0.05), 4u);   // 2/70 = 0.029 < 0.05; 3 vs 3 gives 0.1
  EXPECT_EQ(min_repetitions_for_alpha(0.01), 5u);   // 2/252 = 0.0079; 4 vs 4 gives 0.029
  EXPECT_EQ(min_repetitions_for_alpha(0.001), 7u);  // 2/3432 = 0.00058; 6 vs 6 gives 0.0022
  EXPECT_EQ(min_repetitions_for_alpha(0.0), kMaxRepetitionsSearched);
}
