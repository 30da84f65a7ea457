// Two clusters or one (harness/stats/bimodality.h).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/stats/bimodality.h"

namespace fb::harness {
namespace {

TEST(Bimodality, FindsTheTwoPopulationsOfAPlacementSplit) {
  // P0 on a VM where the OS placed the threads: five processes near 14.3 µs, five near 19.8.
  const std::vector<double> p50 = {14.1, 19.8, 14.3, 20.1, 14.5, 19.5, 14.2, 20.9, 14.6, 17.5};
  const auto b = find_two_clusters(p50);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->low.members, (std::vector<std::size_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(b->high.members, (std::vector<std::size_t>{1, 3, 5, 7, 9}));
  EXPECT_DOUBLE_EQ(b->low.median, 14.3);
  EXPECT_DOUBLE_EQ(b->high.median, 19.8);
  EXPECT_NEAR(b->separation, 19.8 / 14.3 - 1, 1e-12);
  EXPECT_GT(b->ashman_d, kMinAshmanD);
}

TEST(Bimodality, OnePopulationIsNotSplit) {
  EXPECT_FALSE(find_two_clusters({5.02, 5.05, 5.05, 5.02, 5.05, 5.02, 5.05}));
  EXPECT_FALSE(find_two_clusters({100, 101, 99, 102, 98, 100, 103, 97}));
}

TEST(Bimodality, OneOutlierIsNotAMode) {
  EXPECT_FALSE(find_two_clusters({0.80, 0.79, 0.80, 0.81, 0.80, 1.2}));
}

TEST(Bimodality, ACleanButTinySplitIsNotWorthAWarning) {
  // Perfectly separated (D is infinite) but only 2 % apart.
  EXPECT_FALSE(find_two_clusters({100, 100, 100, 102, 102, 102}));
  const auto wide = find_two_clusters({100, 100, 100, 110, 110, 110});
  ASSERT_TRUE(wide.has_value());
  EXPECT_TRUE(std::isinf(wide->ashman_d));
}

TEST(Bimodality, TooFewValuesToTell) {
  EXPECT_FALSE(find_two_clusters({}));
  EXPECT_FALSE(find_two_clusters({1, 10, 10}));
}

}  // namespace
}  // namespace fb::harness
