// The open loop's pieces that need no pipeline: the arrival schedule, the pacer's claims and
// lateness, and the load figures (saturation, Little's law). The split of `total` into `queue` +
// the pipeline is in stage_latencies_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <set>
#include <thread>
#include <vector>

#include "harness/load/arrival_schedule.h"
#include "harness/load/schedule_pacer.h"
#include "harness/stats/load_figures.h"
#include "probes/clock.h"

namespace fb::harness {
namespace {

std::uint32_t first_route(std::mt19937_64&) { return 0; }

TEST(ArrivalSchedule, ConstantRateIsEvenlySpacedOverTheDuration) {
  RatePlan plan{.rate_rps = 1000, .process = ArrivalProcess::constant, .count = std::nullopt, .duration_ns = 2'000'000'000};
  const ArrivalSchedule s = rate_schedule(plan, first_route);
  ASSERT_EQ(s.arrivals.size(), 2000u);
  for (std::size_t i = 0; i < s.arrivals.size(); ++i) EXPECT_EQ(s.arrivals[i].at_ns, static_cast<std::int64_t>(i) * 1'000'000);
  EXPECT_EQ(s.window_ns, 2'000'000'000);
  EXPECT_DOUBLE_EQ(s.offered_rps(), 1000.0);
}

TEST(ArrivalSchedule, CountGivesExactlyThatManyArrivals) {
  RatePlan plan{.rate_rps = 500, .process = ArrivalProcess::constant, .count = 10, .duration_ns = 0};
  const ArrivalSchedule s = rate_schedule(plan, first_route);
  ASSERT_EQ(s.arrivals.size(), 10u);
  // The window ends where the 11th arrival would be: 10 gaps of 2 ms.
  EXPECT_EQ(s.window_ns, 20'000'000);
  EXPECT_DOUBLE_EQ(s.offered_rps(), 500.0);
}

TEST(ArrivalSchedule, PoissonGapsHaveTheMeanAndSpreadOfAnExponential) {
  RatePlan plan{.rate_rps = 10'000, .process = ArrivalProcess::poisson, .count = 200'000, .duration_ns = 0, .seed = 3};
  const ArrivalSchedule s = rate_schedule(plan, first_route);
  ASSERT_EQ(s.arrivals.size(), 200'000u);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < s.arrivals.size(); ++i) {
    ASSERT_GE(s.arrivals[i].at_ns, s.arrivals[i - 1].at_ns);
    gaps.push_back(static_cast<double>(s.arrivals[i].at_ns - s.arrivals[i - 1].at_ns));
  }
  const double mean = std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
  double var = 0;
  for (double g : gaps) var += (g - mean) * (g - mean);
  const double sd = std::sqrt(var / static_cast<double>(gaps.size() - 1));
  // Mean 100 µs; the standard error of the mean of 200,000 gaps is 0.22 %: 2 % is ~9 of them.
  EXPECT_NEAR(mean, 100'000.0, 2'000.0);
  // An exponential's standard deviation equals its mean (a constant's would be 0).
  EXPECT_NEAR(sd / mean, 1.0, 0.03);
}

TEST(ArrivalSchedule, SameSeedSameScheduleAndRequests) {
  auto pick = [](std::mt19937_64& rng) { return static_cast<std::uint32_t>(rng() % 4); };
  RatePlan plan{.rate_rps = 2000, .process = ArrivalProcess::poisson, .count = std::nullopt, .duration_ns = 500'000'000, .seed = 9};
  const ArrivalSchedule a = rate_schedule(plan, pick), b = rate_schedule(plan, pick);
  ASSERT_EQ(a.arrivals.size(), b.arrivals.size());
  for (std::size_t i = 0; i < a.arrivals.size(); ++i) {
    EXPECT_EQ(a.arrivals[i].at_ns, b.arrivals[i].at_ns);
    EXPECT_EQ(a.arrivals[i].request, b.arrivals[i].request);
  }
  // The requests come from their own generator: the constant process sends the same ones.
  plan.process = ArrivalProcess::constant;
  const ArrivalSchedule c = rate_schedule(plan, pick);
  for (std::size_t i = 0; i < std::min(a.arrivals.size(), c.arrivals.size()); ++i) EXPECT_EQ(a.arrivals[i].request, c.arrivals[i].request);
  plan.seed = 10;
  const ArrivalSchedule d = rate_schedule(plan, pick);
  std::size_t same = 0;
  for (std::size_t i = 0; i < std::min(c.arrivals.size(), d.arrivals.size()); ++i) same += c.arrivals[i].request == d.arrivals[i].request;
  EXPECT_LT(same, c.arrivals.size() / 2);  // another seed, other draws (1 in 4 agree by chance)
}

TEST(ArrivalSchedule, NamesRoundTrip) {
  EXPECT_EQ(arrival_process_from_name("constant"), ArrivalProcess::constant);
  EXPECT_EQ(arrival_process_from_name("poisson"), ArrivalProcess::poisson);
  EXPECT_EQ(arrival_process_from_name("uniform"), std::nullopt);
  EXPECT_EQ(arrival_process_name(ArrivalProcess::poisson), "poisson");
}

class Clocked : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { probes::calibrate_clock(); }
};

TEST_F(Clocked, PacerHandsEveryArrivalToExactlyOneSenderNeverEarly) {
  RatePlan plan{.rate_rps = 20'000, .process = ArrivalProcess::constant, .count = 2000, .duration_ns = 0};
  const ArrivalSchedule s = rate_schedule(plan, first_route);
  SchedulePacer pacer(s, late_threshold_ns(s));
  EXPECT_EQ(pacer.late_threshold_ns(), 50'000);  // one gap
  constexpr int kSenders = 3;
  std::vector<std::vector<std::size_t>> claimed(kSenders);
  std::vector<SenderPace> paces(kSenders);
  std::atomic<int> early{0};
  pacer.start();
  std::vector<std::thread> threads;
  for (int t = 0; t < kSenders; ++t) {
    threads.emplace_back([&, t] {
      use_fine_timer_slack();
      while (auto slot = pacer.next(paces[t])) {
        if (probes::now_ticks() < slot->intended) early.fetch_add(1);
        claimed[t].push_back(slot->index);
        pacer.completed();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(early.load(), 0);
  std::set<std::size_t> all;
  std::uint64_t sent = 0;
  for (int t = 0; t < kSenders; ++t) {
    EXPECT_TRUE(std::is_sorted(claimed[t].begin(), claimed[t].end()));  // each sender claims in order
    all.insert(claimed[t].begin(), claimed[t].end());
    sent += paces[t].sent;
  }
  EXPECT_EQ(all.size(), 2000u);
  EXPECT_EQ(sent, 2000u);
  EXPECT_EQ(pacer.completed_count(), 2000u);
  EXPECT_EQ(pacer.due_by(probes::now_ticks()), 2000u);
}

TEST_F(Clocked, ASenderThatStallsCountsItsLateSendsAndLag) {
  // One sender, 1 ms apart; it stalls 20 ms on the first request: the next ~20 leave late, at once.
  RatePlan plan{.rate_rps = 1000, .process = ArrivalProcess::constant, .count = 40, .duration_ns = 0};
  const ArrivalSchedule s = rate_schedule(plan, first_route);
  SchedulePacer pacer(s, late_threshold_ns(s));
  SenderPace pace;
  pacer.start();
  bool first = true;
  while (auto slot = pacer.next(pace)) {
    if (first) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    first = false;
  }
  EXPECT_EQ(pace.sent, 40u);
  EXPECT_GE(pace.late, 15u);
  EXPECT_GE(pace.max_lag_ns, 15'000'000);
}

LoadResult open_result(double offered, double achieved) {
  LoadResult r;
  r.mode = "open";
  ScheduleOutcome& s = r.schedule.emplace();
  s.scheduled = 1000;
  s.window_s = 1000.0 / offered;
  s.offered_rps = offered;
  s.achieved_rps = achieved;
  r.throughput_rps = achieved;
  return r;
}

TEST(LoadFigures, SaturatedOnlyWhenAchievedFallsMoreThanFivePercentShort) {
  EXPECT_FALSE(load_figures(open_result(1000, 960), 1000).saturated);
  EXPECT_FALSE(load_figures(open_result(1000, 950.5), 1000).saturated);
  const LoadFigures f = load_figures(open_result(1000, 940), 1000);
  EXPECT_TRUE(f.saturated);
  EXPECT_NEAR(f.achieved_ratio, 0.94, 1e-12);
  EXPECT_EQ(f.mode, "open");
  ASSERT_TRUE(f.offered_rps);
  EXPECT_EQ(*f.offered_rps, 1000);
}

TEST(LoadFigures, ClosedLoopHasNoOfferedRate) {
  LoadResult r;
  r.throughput_rps = 1234;
  const LoadFigures f = load_figures(r, 1000);
  EXPECT_EQ(f.mode, "closed");
  EXPECT_FALSE(f.offered_rps);
  EXPECT_FALSE(f.saturated);
  EXPECT_FALSE(f.little);
  EXPECT_EQ(f.achieved_rps, 1234);
}

TEST(LittlesLaw, HoldsWithinTenPercentAndFailsBeyond) {
  // 2000 req/s x 1 ms = 2 in the system.
  InFlightFigures sampled{1000, 2.1, 1.0};
  LittleCheck c = check_littles_law(sampled, 2000, 1e6);
  EXPECT_TRUE(c.checked);
  EXPECT_NEAR(c.predicted_in_system, 2.0, 1e-12);
  EXPECT_NEAR(c.relative_difference, 0.05, 1e-12);
  EXPECT_TRUE(c.holds);
  sampled.mean_in_system = 3.0;  // 50 % more, and 31 standard errors (sd 1 / sqrt 1000 = 0.032)
  c = check_littles_law(sampled, 2000, 1e6);
  EXPECT_TRUE(c.checked);
  EXPECT_FALSE(c.holds);
}

TEST(LittlesLaw, NoisySamplesWithinThreeStandardErrorsHold) {
  // 30 % off, but from 10 samples of variance 4: standard error 0.63, the difference 0.6.
  const LittleCheck c = check_littles_law({10, 2.6, 4.0}, 2000, 1e6);
  EXPECT_TRUE(c.checked);
  EXPECT_TRUE(c.holds);
}

TEST(LittlesLaw, NotCheckedBelowATenthOfARequestInTheSystem) {
  const LittleCheck c = check_littles_law({1000, 0.05, 0.01}, 100, 100'000);  // 0.01 predicted
  EXPECT_FALSE(c.checked);
  EXPECT_TRUE(c.holds);
}

}  // namespace
}  // namespace fb::harness
