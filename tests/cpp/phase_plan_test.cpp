#include "harness/commands/phases/plan.h"

#include <gtest/gtest.h>

#include "harness/cli/exit_codes.h"

using namespace fb::harness;

namespace {

std::vector<std::string> labels(const std::vector<PlannedConfig>& configs) {
  std::vector<std::string> out;
  for (const auto& c : configs) out.push_back(c.label);
  return out;
}

}  // namespace

TEST(PhasePlan, DefaultIsTheCumulativeOrderThroughP5) {
  EXPECT_EQ(labels(plan_configs({})), (std::vector<std::string>{"P0", "P1", "P2", "P3", "P4", "P5"}));
}

TEST(PhasePlan, AblationAddsAloneAndLeftOutWithoutDuplicates) {
  PlanRequest r;
  r.ablation = true;
  // direct alone is P1 and fast-marshal left out is P4: measured once, under the phase name.
  EXPECT_EQ(labels(plan_configs(r)),
            (std::vector<std::string>{"P0", "P1", "P2", "P3", "P4", "P5", "lockfree", "subinterp", "inline-future",
                                      "fast-marshal", "-direct", "-lockfree", "-subinterp", "-inline-future"}));
}

TEST(PhasePlan, FactorialHasAllThirtyTwo) {
  PlanRequest r;
  r.phases = {"P0"};
  r.factorial = true;
  const auto configs = plan_configs(r);
  EXPECT_EQ(configs.size(), 32u);
  for (std::size_t i = 0; i < configs.size(); ++i) {
    for (std::size_t j = i + 1; j < configs.size(); ++j) EXPECT_FALSE(configs[i].opts == configs[j].opts);
  }
}

TEST(PhasePlan, UnknownPhaseIsUsageError) {
  PlanRequest r;
  r.phases = {"P0", "P7"};
  EXPECT_THROW(plan_configs(r), UsageError);
}

TEST(PhasePlan, RepetitionsAreInterleaved) {
  const auto runs = interleave(3, 2);
  ASSERT_EQ(runs.size(), 6u);
  const std::vector<std::pair<std::size_t, int>> expected = {{0, 0}, {1, 0}, {2, 0}, {0, 1}, {1, 1}, {2, 1}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    EXPECT_EQ(runs[i].config, expected[i].first);
    EXPECT_EQ(runs[i].repetition, expected[i].second);
  }
}
