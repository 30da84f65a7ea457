// Steal time (harness/host/sysinfo.h): a share when /proc/stat tells it, "unknown" (none) when
// it cannot, never a made-up 0.
#include <gtest/gtest.h>

#include "harness/host/sysinfo.h"

namespace {

using fb::harness::CpuTimes;

TEST(Steal, AShareOfTheCpuTimeThatElapsed) {
  const CpuTimes before{1000, 500, 10};
  const CpuTimes after{1600, 880, 30};  // 600 busy + 380 idle + 20 stolen
  EXPECT_DOUBLE_EQ(*fb::harness::steal_percent(before, after), 2.0);
  EXPECT_DOUBLE_EQ(*fb::harness::steal_percent(before, CpuTimes{1100, 500, 10}), 0.0);  // measured zero
}

TEST(Steal, UnknownWhenNothingCouldBeRead) {
  EXPECT_FALSE(fb::harness::steal_percent(CpuTimes{}, CpuTimes{}));                     // unreadable: zeros
  EXPECT_FALSE(fb::harness::steal_percent(CpuTimes{5, 5, 5}, CpuTimes{5, 5, 5}));       // no tick elapsed
  EXPECT_FALSE(fb::harness::steal_percent(CpuTimes{100, 100, 1}, CpuTimes{}));          // read failed afterwards
}

TEST(Steal, TheMeanIsOverKnownValuesOnly) {
  EXPECT_DOUBLE_EQ(*fb::harness::mean_of_known({1.0, std::nullopt, 3.0}), 2.0);
  EXPECT_FALSE(fb::harness::mean_of_known({std::nullopt, std::nullopt}));
  EXPECT_FALSE(fb::harness::mean_of_known({}));
}

TEST(Steal, ParsedFromProcStat) {
  const CpuTimes t = fb::harness::parse_cpu_times("cpu  10 1 5 100 4 2 3 7 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n");
  EXPECT_EQ(t.steal, 7u);
  EXPECT_EQ(t.idle, 104u);
  EXPECT_EQ(t.busy, 21u);
}

}  // namespace
