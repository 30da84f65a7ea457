// --probe-sample auto: the choice of 1 in N from the warm-up (harness/probe_session.h).
#include <gtest/gtest.h>

#include "harness/probes/probe_session.h"

namespace fb::harness {
namespace {

TEST(ProbeSampleAuto, KeepsTheProbesWithinTheBudgetOfRequestTime) {
  // 8 points x 3 µs = 24 µs per sampled request; 2 % of an 800 ns request is 16 ns: 1 in 1500.
  WarmupSummary w{1000, 800, 8};
  const ProbeSampleChoice c = choose_probe_sample(w, 3000);
  EXPECT_EQ(c.every, 1500);
  EXPECT_LE(w.mean_points * 3000 / static_cast<double>(c.every), kProbeBudget * w.mean_total_ns);
  EXPECT_NE(c.reason.find("1 in 1500"), std::string::npos) << c.reason;
  // A slow path needs little thinning: 14 points x 3 µs on a 50 ms request: every request.
  EXPECT_EQ(choose_probe_sample({1000, 50e6, 14}, 3000).every, 1);
  // Rounds up: 24 / (0.02 * 1000) = 1.2 -> 2.
  EXPECT_EQ(choose_probe_sample({10, 1000, 8}, 3).every, 2);
}

TEST(ProbeSampleAuto, WithoutAWarmUpFallsBackAndSaysSo) {
  const ProbeSampleChoice c = choose_probe_sample({0, 0, 0}, 3000);
  EXPECT_EQ(c.every, kFallbackProbeSample);
  EXPECT_NE(c.reason.find("no warm-up"), std::string::npos) << c.reason;
}

}  // namespace
}  // namespace fb::harness
