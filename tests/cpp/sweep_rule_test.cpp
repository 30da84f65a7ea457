// The saturation sweep's rules (harness/stats/sweep_rule.h): when a phase stops climbing, where
// its knee is, and which --rates are accepted.
#include <gtest/gtest.h>

#include "harness/cli/exit_codes.h"
#include "harness/stats/sweep_rule.h"

namespace fb::harness {
namespace {

SweepStep step(double rate, double p99_ns, bool rate_saturated = false) {
  SweepStep s;
  s.offered_rps = rate;
  s.load.offered_rps = rate;
  s.load.achieved_rps = rate_saturated ? rate * 0.8 : rate;
  s.load.saturated = rate_saturated;
  s.p50_ns = p99_ns / 4;
  s.p99_ns = p99_ns;
  return s;
}

// Judges the steps in order as the sweep does; returns them with latency_saturated set.
std::vector<SweepStep> climb(std::vector<SweepStep> steps) {
  std::vector<SweepStep> judged;
  for (SweepStep& s : steps) {
    const bool stops = judge_step(judged, s);
    judged.push_back(s);
    if (stops) break;
  }
  return judged;
}

TEST(SweepRule, TheFirstStepIsTheBaselineAndNeverLatencySaturated) {
  SweepStep first = step(1000, 50'000);
  EXPECT_FALSE(judge_step({}, first));
  EXPECT_FALSE(first.latency_saturated);
}

TEST(SweepRule, StopsWhenP99ExceedsTheStopMultipleOfTheBaseline) {
  const auto steps = climb({step(1000, 10'000), step(2000, 90'000), step(4000, 101'000), step(8000, 20'000)});
  ASSERT_EQ(steps.size(), 3u);  // the 8000 step is never run
  EXPECT_FALSE(steps[1].saturated());  // 9x: still climbing
  EXPECT_TRUE(steps[2].latency_saturated);
  EXPECT_FALSE(steps[2].load.saturated);
}

TEST(SweepRule, StopsWhenTheRunFellShortOfItsRate) {
  const auto steps = climb({step(1000, 10'000), step(2000, 12'000, true), step(4000, 12'000)});
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_TRUE(steps[1].saturated());
  EXPECT_FALSE(steps[1].latency_saturated);
}

TEST(SweepRule, KneeIsTheHighestUnsaturatedStepWithinTheKneeMultipleOfTheBestP99) {
  // Measured shape: the lowest rate's p99 is inflated by idle wake-ups (1.5 ms), the tail is at
  // its best under load (20 µs), one noisy step in between (1.2 ms), then queueing sets in.
  const auto steps = climb({step(1000, 1'500'000), step(8000, 110'000), step(64000, 21'000), step(128000, 1'200'000),
                            step(256000, 20'000), step(512000, 55'000), step(1024000, 170'000),
                            step(2048000, 6'000'000)});
  ASSERT_EQ(steps.size(), 8u);  // 6 ms is 4x the lowest-rate p99: not stopped
  EXPECT_EQ(best_p99(steps), 20'000);
  ASSERT_TRUE(knee_step(steps).has_value());
  EXPECT_EQ(*knee_step(steps), 5u);  // 55 µs <= 3 x 20 µs; 170 µs is not
}

TEST(SweepRule, TheBestP99IgnoresSaturatedSteps) {
  const auto steps = climb({step(1000, 30'000), step(2000, 5'000, true)});
  EXPECT_EQ(best_p99(steps), 30'000);
  EXPECT_EQ(*knee_step(steps), 0u);
}

TEST(SweepRule, ASaturatedStepIsNeverTheKnee) {
  const auto steps = climb({step(1000, 10'000), step(2000, 11'000, true)});
  ASSERT_TRUE(knee_step(steps).has_value());
  EXPECT_EQ(*knee_step(steps), 0u);
  EXPECT_FALSE(knee_step(climb({step(1000, 10'000, true)})).has_value());
  EXPECT_FALSE(knee_step({}).has_value());
}

TEST(SweepRates, ListsAreSortedAndDeduplicated) {
  const SweepRates r = parse_sweep_rates("4000, 1000,2000,1000,2500.5");
  EXPECT_FALSE(r.automatic);
  EXPECT_EQ(r.rates, (std::vector<double>{1000, 2000, 2500.5, 4000}));
  EXPECT_TRUE(parse_sweep_rates("auto").automatic);
}

TEST(SweepRates, BadRatesAreUsageErrors) {
  for (const char* bad : {"0", "-100", "1000,0", "fast", "1000,,2000", "", "1e400", "nan", "1000x"}) {
    EXPECT_THROW(parse_sweep_rates(bad), UsageError) << bad;
  }
}

TEST(SweepRates, AutoDoublesFromTheFirstRateUpToTheCap) {
  EXPECT_EQ(automatic_rates(9000), (std::vector<double>{1000, 2000, 4000, 8000}));
  EXPECT_EQ(automatic_rates(8000), (std::vector<double>{1000, 2000, 4000, 8000}));
  EXPECT_TRUE(automatic_rates(999).empty());
}

}  // namespace
}  // namespace fb::harness
