// CPU lists, placement plans and where a run's hand-offs went (harness/placement/).
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/cli/exit_codes.h"
#include "harness/placement/cpu_list.h"
#include "harness/placement/placement.h"

namespace fb::harness {
namespace {

TEST(CpuList, ParsesItemsAndRangesIntoASortedSet) {
  EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
  EXPECT_EQ(parse_cpu_list("3,0-2,2"), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_cpu_list("6,1-1"), (std::vector<int>{1, 6}));
}

TEST(CpuList, RejectsMalformedItemsNamingThem) {
  for (const char* bad : {"", "a", "1,", ",1", "3-1", "1-", "-1", "1 ", "99999"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_cpu_list(bad), std::invalid_argument);
  }
  try {
    parse_cpu_list("0,3-1");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'3-1'"), std::string::npos) << e.what();
  }
}

TEST(CpuList, FormatsRunsAsRanges) {
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({2}), "2");
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 6}), "0-3,6");
  EXPECT_EQ(format_cpu_list({0, 2, 3}), "0,2-3");
}

TEST(Placement, OffSharedAndSplitDivideTheAllowedCpus) {
  const std::vector<int> allowed = thread_affinity(0);
  ASSERT_FALSE(allowed.empty());
  const Placement off = plan_placement(PinPolicy::off, "");
  EXPECT_EQ(off.cpus, allowed);
  EXPECT_EQ(off.client, allowed);
  EXPECT_EQ(off.worker, allowed);
  const Placement shared = plan_placement(PinPolicy::shared, "");
  EXPECT_EQ(shared.client, std::vector<int>{allowed.front()});
  EXPECT_EQ(shared.worker, std::vector<int>{allowed.front()});
  if (allowed.size() < 2) GTEST_SKIP() << "split needs two CPUs; this process may use " << format_cpu_list(allowed);
  const Placement split = plan_placement(PinPolicy::split, "");
  EXPECT_EQ(split.client.size(), allowed.size() / 2);
  EXPECT_EQ(split.client.size() + split.worker.size(), allowed.size());
  EXPECT_EQ(split.client.front(), allowed.front());
  EXPECT_LT(split.client.back(), split.worker.front());
}

TEST(Placement, RefusesACpuOutsideTheAllowedSet) {
  const std::vector<int> allowed = thread_affinity(0);
  const int outside = allowed.back() + 1;
  try {
    plan_placement(PinPolicy::shared, std::to_string(outside));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("CPU " + std::to_string(outside) + " is not in this process's allowed set"),
              std::string::npos)
        << e.what();
  }
}

TEST(Placement, RefusesSplitOnOneCpu) {
  const std::string one = std::to_string(thread_affinity(0).front());
  try {
    plan_placement(PinPolicy::split, one);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("needs at least 2"), std::string::npos) << e.what();
  }
}

ThreadRecord thread(ThreadRole role, std::vector<int> cpus) {
  ThreadRecord t;
  t.role = role;
  t.cpus_seen = std::move(cpus);
  return t;
}

TEST(HandoffPlacement, NamesWhereClientsAndWorkersRan) {
  using R = ThreadRole;
  EXPECT_EQ(handoff_placement({thread(R::client, {0}), thread(R::worker, {0}), thread(R::worker, {})}), "same CPU");
  EXPECT_EQ(handoff_placement({thread(R::client, {0}), thread(R::worker, {1}), thread(R::worker, {1})}), "different CPUs");
  EXPECT_EQ(handoff_placement({thread(R::client, {0, 1}), thread(R::worker, {1})}), "moved");
  EXPECT_EQ(handoff_placement({thread(R::client, {0}), thread(R::worker, {0}), thread(R::worker, {1})}), "mixed");
  EXPECT_EQ(handoff_placement({thread(R::client, {0}), thread(R::worker, {}), thread(R::main, {1})}), "no worker ran");
  // The main thread and event loops do not hand requests off to workers.
  EXPECT_EQ(handoff_placement({thread(R::main, {1}), thread(R::client, {0}), thread(R::worker, {0}), thread(R::loop, {1})}),
            "same CPU");
}

}  // namespace
}  // namespace fb::harness
