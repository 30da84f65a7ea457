// `--measure instructions`: which thread collects when (probes/instruction_count.h), reading
// Callgrind's dumps, turning windows into per-request figures, and the gate's rule
// (harness/compare/instruction_gate.h), against hand-computed values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/cli/exit_codes.h"
#include "harness/compare/instruction_gate.h"
#include "harness/measure/callgrind.h"
#include "harness/measure/instruction_windows.h"
#include "probes/instruction_count.h"

namespace fb::harness {
namespace {

using nlohmann::json;
using probes::should_collect;
using probes::ThreadInstructionState;

TEST(ShouldCollect, OnlyInACountedStageAndNotWaiting) {
  const std::uint32_t marshal = probes::counted_stage_bit(FB_STAGE_MARSHAL);
  EXPECT_TRUE(should_collect({FB_STAGE_MARSHAL, 0, false}, marshal));
  EXPECT_FALSE(should_collect({FB_STAGE_HANDLER, 0, false}, marshal));        // another stage
  EXPECT_FALSE(should_collect({FB_STAGE_MARSHAL, 1, false}, marshal));        // waiting
  EXPECT_FALSE(should_collect({FB_STAGE_NONE, 0, false}, ~0u));               // outside requests
  EXPECT_FALSE(should_collect({FB_STAGE_MARSHAL, 0, false}, 0));              // nothing counted
  EXPECT_TRUE(should_collect({FB_STAGE_OTHER, 0, true}, every_request_stage_mask()));
  EXPECT_FALSE(should_collect({FB_STAGE_TOTAL, 0, false}, every_request_stage_mask()));  // never a thread's stage
  EXPECT_FALSE(should_collect({FB_STAGE_QUEUE, 0, false}, every_request_stage_mask()));  // the load generator's
}

TEST(InstructionCount, OffByDefaultAndThreadStateFollowsStagesAndWaits) {
  // Off (every normal run): the hooks return at once and leave the state alone.
  ASSERT_FALSE(probes::g_instruction_count_on);
  probes::count_instructions_as(FB_STAGE_ROUTE);
  EXPECT_EQ(probes::t_instruction_state.stage, FB_STAGE_NONE);
  // On (not under Valgrind here: the client request is a no-op, the bookkeeping is real).
  probes::g_instruction_count_on = true;
  probes::g_counted_stages.store(probes::counted_stage_bit(FB_STAGE_ROUTE));
  probes::count_instructions_as(FB_STAGE_ROUTE);
  EXPECT_TRUE(probes::t_instruction_state.collecting);
  {
    probes::InstructionWait waiting;
    EXPECT_FALSE(probes::t_instruction_state.collecting);
  }
  EXPECT_TRUE(probes::t_instruction_state.collecting);
  probes::count_instructions_as(FB_STAGE_NONE);
  EXPECT_FALSE(probes::t_instruction_state.collecting);
  probes::g_counted_stages.store(0);
  probes::g_instruction_count_on = false;
}

TEST(ParseCallgrindTotal, ReadsTheSummaryLine) {
  const char* dump =
      "version: 1\ncreator: callgrind-3.19.0\npid: 12586\ncmd:  ./t\npart: 1\n"
      "desc: Trigger: Client Request: w1\nevents: Ir\nsummary: 6014\n\nfn=(1) main\n5 6014\ntotals: 6014\n";
  EXPECT_EQ(parse_callgrind_total(dump), 6014u);
  EXPECT_EQ(parse_callgrind_total("events: Ir\ntotals: 42\n"), 42u);  // no summary: totals
  EXPECT_EQ(parse_callgrind_total("events: Ir\nsummary: 0\r\n"), 0u);
  EXPECT_EQ(parse_callgrind_total("events: Ir\n"), std::nullopt);
  EXPECT_EQ(parse_callgrind_total("summary: 12 34\n"), std::nullopt);  // two events: not ours
  EXPECT_EQ(parse_callgrind_total("summary: many\n"), std::nullopt);
}

TEST(InstructionWindows, PerRequestFiguresAndClosure) {
  // Window 0 (every stage), then route, dispatch, gil, marshal, handler, future, other.
  const std::vector<std::uint64_t> windows = {10'000, 1'000, 0, 2'000, 4'000, 2'000, 0, 1'100};
  const InstructionCounts c = instruction_counts_from_windows(windows, 4);
  EXPECT_DOUBLE_EQ(c.per_request, 2'500);
  EXPECT_DOUBLE_EQ(*c.stage_per_request[FB_STAGE_TOTAL], 2'500);
  EXPECT_DOUBLE_EQ(*c.stage_per_request[FB_STAGE_ROUTE], 250);
  EXPECT_DOUBLE_EQ(*c.stage_per_request[FB_STAGE_DISPATCH], 0);
  EXPECT_DOUBLE_EQ(*c.stage_per_request[FB_STAGE_MARSHAL], 1'000);
  EXPECT_DOUBLE_EQ(*c.stage_per_request[FB_STAGE_OTHER], 275);
  EXPECT_FALSE(c.stage_per_request[FB_STAGE_RECV].has_value());  // the front end is never counted
  EXPECT_FALSE(c.stage_per_request[FB_STAGE_QUEUE].has_value());  // nor the open loop's queue (no open loop here)
  EXPECT_DOUBLE_EQ(c.closure, 1.01);                             // 10,100 / 10,000
  EXPECT_EQ(c.requests_per_window, 4u);
  EXPECT_THROW(instruction_counts_from_windows({1, 2}, 4), std::invalid_argument);
  EXPECT_THROW(instruction_counts_from_windows(windows, 0), std::invalid_argument);
}

// A results document measured in instructions: one run per (config, total, marshal, dispatch count).
json document(const std::vector<std::tuple<std::string, double, double, int>>& runs) {
  json out = {{"schema_version", 1}, {"runs", json::array()}};
  int rep = 0;
  for (const auto& [config, total, marshal, dispatch_count] : runs) {
    out["runs"].push_back({{"config", config},
                           {"repetition", rep++},
                           {"supported", true},
                           {"measure", "instructions"},
                           {"instructions_per_request", total},
                           {"stages",
                            {{"total", {{"count", 10}, {"instructions_per_request", total}}},
                             {"marshal", {{"count", 10}, {"instructions_per_request", marshal}}},
                             {"dispatch", {{"count", dispatch_count}, {"instructions_per_request", dispatch_count ? 300.0 : 0.0}}}}}});
  }
  return out;
}

const std::vector<std::string> kStages = {"marshal", "dispatch", "total"};

TEST(InstructionGate, AAPassesWithTheDirectPathRepeatability) {
  const json a = document({{"P1", 3573.0, 2029.0, 0}});
  const json b = document({{"P1", 3574.0, 2029.0, 0}});  // +0.03 %: within r = 0.1 %
  const InstructionGateResult r = judge_instructions(a, "a", b, "b", kStages, 0.01);
  EXPECT_EQ(r.overall, Verdict::pass);
  ASSERT_EQ(r.configs.size(), 1u);
  EXPECT_DOUBLE_EQ(r.configs[0].repeatability, kRepeatabilityDirect);
  EXPECT_NE(r.configs[0].repeatability_source.find("direct path"), std::string::npos);
}

TEST(InstructionGate, OnePercentInOneStageIsARegressionNamingIt) {
  // +40 instructions in marshal: total +1.12 % > 1 % + 0.1 %; marshal +1.97 %, and 40 > 0.01 *
  // 2029 + 0.001 * 3573 = 23.9.
  const json a = document({{"P1", 3573.0, 2029.0, 0}});
  const json b = document({{"P1", 3613.0, 2069.0, 0}});
  const InstructionGateResult r = judge_instructions(a, "a", b, "b", kStages, 0.01);
  EXPECT_EQ(r.overall, Verdict::regression);
  const auto& stages = r.configs.at(0).stages;
  EXPECT_EQ(stages[0].stage, "marshal");
  EXPECT_EQ(stages[0].verdict, Verdict::regression);
  EXPECT_NEAR(stages[0].allowed, 23.863, 1e-9);
  EXPECT_EQ(stages[1].verdict, Verdict::pass);  // dispatch: 0 -> 0
  EXPECT_EQ(stages[2].verdict, Verdict::regression);
  EXPECT_NE(render_instruction_gate_text(r).find("REGRESSION: P1 marshal +1.971%; P1 total +1.120%"), std::string::npos);
}

TEST(InstructionGate, ExecutorPathAndMeasuredSpreadWidenTheAllowance) {
  // Dispatch went through: executor repeatability (1 %). +1.5 % in total is within 1 % + 1 %.
  const json a = document({{"P0", 4892.0, 2027.0, 10}});
  const json b = document({{"P0", 4965.0, 2027.0, 10}});
  InstructionGateResult r = judge_instructions(a, "a", b, "b", kStages, 0.01);
  EXPECT_EQ(r.overall, Verdict::pass);
  EXPECT_DOUBLE_EQ(r.configs[0].repeatability, kRepeatabilityExecutor);
  // Two repetitions spread by 3 % on one side: that spread is assumed instead, and said.
  const json spread = document({{"P1", 3500.0, 2029.0, 0}, {"P1", 3605.0, 2029.0, 0}});
  r = judge_instructions(spread, "a", document({{"P1", 3600.0, 2029.0, 0}}), "b", kStages, 0.01);
  EXPECT_NEAR(r.configs[0].repeatability, 105.0 / 3552.5, 1e-12);
  EXPECT_EQ(r.configs[0].repeatability_source, "spread of the baseline's 2 repetitions");
  EXPECT_EQ(r.overall, Verdict::pass);
}

TEST(InstructionGate, ImprovementAndUsageErrors) {
  const json a = document({{"P1", 3573.0, 2029.0, 0}});
  const json faster = document({{"P1", 3473.0, 1929.0, 0}});
  EXPECT_EQ(judge_instructions(a, "a", faster, "b", kStages, 0.01).overall, Verdict::improvement);
  json timed = a;
  timed["runs"][0].erase("measure");
  EXPECT_THROW(judge_instructions(timed, "a", a, "b", kStages, 0.01), UsageError);
  EXPECT_THROW(judge_instructions(a, "a", document({{"P0", 1.0, 1.0, 1}}), "b", kStages, 0.01), UsageError);
}

}  // namespace
}  // namespace fb::harness
