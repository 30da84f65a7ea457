// The gate's decision rule (verdict.h), one case per branch, with the evidence set by hand.
#include "harness/compare/verdict.h"

#include <gtest/gtest.h>

#include "harness/cli/exit_codes.h"
#include "results_builder.h"

using namespace fb::harness;

namespace {

// A stage with n repetitions per side and the given ratio, interval and p; medians of 10 µs,
// so the 100 ns minimum effect (1 %) stays below the 5 % threshold unless a test says so.
StageComparison evidence(double ratio, double lo, double hi, double p, std::size_t n = 5, double median = 10'000) {
  StageComparison s;
  s.stage = "dispatch";
  s.baseline.values.assign(n, median);
  s.candidate.values.assign(n, median * ratio);
  s.baseline.median = median;
  s.candidate.median = median * ratio;
  s.ratio = {ratio, lo, hi};
  s.test.p_value = p;
  s.test.n_x = s.test.n_y = n;
  return s;
}

Verdict verdict_of(const StageComparison& s, GateSettings g = {}) { return judge_stage("P0", s, g).verdict; }

}  // namespace

TEST(JudgeStage, RegressionNeedsSignificanceAndTheWholeIntervalBeyondTheThreshold) {
  EXPECT_EQ(verdict_of(evidence(1.30, 1.20, 1.40, 0.0079)), Verdict::regression);
  // Same interval, not significant: INCONCLUSIVE, saying so.
  const StageVerdict v = judge_stage("P0", evidence(1.30, 1.20, 1.40, 0.0159), {});
  EXPECT_EQ(v.verdict, Verdict::inconclusive);
  EXPECT_NE(v.reason.find("not significant at alpha 0.01"), std::string::npos) << v.reason;
  // Significant, but the interval reaches below 1 + 5 %: a real change of uncertain size.
  const StageVerdict w = judge_stage("P0", evidence(1.08, 1.03, 1.12, 0.0079), {});
  EXPECT_EQ(w.verdict, Verdict::inconclusive);
  EXPECT_NE(w.reason.find("still reaches below the +5.0 % threshold"), std::string::npos) << w.reason;
  // Lower bound exactly on the threshold is not beyond it.
  EXPECT_EQ(verdict_of(evidence(1.10, 1.05, 1.15, 0.0079)), Verdict::inconclusive);
}

TEST(JudgeStage, ImprovementIsTheMirrorImage) {
  EXPECT_EQ(verdict_of(evidence(0.70, 0.60, 0.80, 0.0079)), Verdict::improvement);
  // Faster but not significant, interval below 1 + t: PASS.
  EXPECT_EQ(verdict_of(evidence(0.70, 0.60, 0.80, 0.05)), Verdict::pass);
}

TEST(JudgeStage, PassWhenTheIntervalRulesOutASlowdownBeyondTheThreshold) {
  EXPECT_EQ(verdict_of(evidence(1.00, 0.97, 1.03, 0.6)), Verdict::pass);
  // A significant but small slowdown (2 %) passes a 5 % gate.
  EXPECT_EQ(verdict_of(evidence(1.02, 1.01, 1.03, 0.0079)), Verdict::pass);
  // Upper bound exactly at 1 + t passes.
  EXPECT_EQ(verdict_of(evidence(1.00, 0.95, 1.05, 0.6)), Verdict::pass);
  // The threshold is a setting: the same evidence fails a 1 % gate... inconclusively.
  GateSettings tight;
  tight.threshold = 0.01;
  EXPECT_EQ(verdict_of(evidence(1.00, 0.97, 1.03, 0.6), tight), Verdict::inconclusive);
}

TEST(JudgeStage, InconclusiveWhenNoiseIsTooHighSaysHowManyRepetitions) {
  const StageVerdict v = judge_stage("P0", evidence(1.00, 0.94, 1.10, 0.6), {});
  EXPECT_EQ(v.verdict, Verdict::inconclusive);
  EXPECT_EQ(v.repetitions_needed, 20u);  // 5 * (ln 1.10 / ln 1.05)^2 = 19.1 (ratio_ci_test)
  EXPECT_NE(v.reason.find("noise too high for the +5.0 % threshold at 5 vs 5 repetitions"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("about 20 repetitions per side would probably decide"), std::string::npos) << v.reason;
}

TEST(JudgeStage, ThreeRepetitionsCanNeverRegressAtAlphaOnePercent) {
  // Complete separation at 3 vs 3 gives p = 0.1 at best.
  const StageVerdict v = judge_stage("P0", evidence(1.30, 1.25, 1.35, 0.1, 3), {});
  EXPECT_EQ(v.verdict, Verdict::inconclusive);
  EXPECT_NE(v.reason.find("3 vs 3 repetitions: Mann-Whitney cannot reach p < 0.01 below 5 per side (smallest possible p "
                          "here 0.1)"),
            std::string::npos)
      << v.reason;
  EXPECT_GE(v.repetitions_needed, 5u);
  // ... while at alpha 0.1 4 per side would do; the rule itself does not change.
  GateSettings loose;
  loose.alpha = 0.11;
  EXPECT_EQ(verdict_of(evidence(1.30, 1.25, 1.35, 0.1, 3), loose), Verdict::regression);
}

TEST(JudgeStage, MinimumEffectRaisesTheLimitOfSmallStages) {
  // A 60 ns stage going to 90 ns (+50 %), significant: the limit is max(5 %, 100 / 60) = 166.7 %.
  const StageVerdict v = judge_stage("P0", evidence(1.5, 1.4, 1.6, 0.0079, 5, 60), {});
  EXPECT_NEAR(v.limit, 100.0 / 60, 1e-12);
  EXPECT_EQ(v.verdict, Verdict::pass);
  EXPECT_NE(v.reason.find("+166.7 % (= the 100 ns minimum effect)"), std::string::npos) << v.reason;
  // Without the minimum effect the same evidence is a regression.
  GateSettings none;
  none.min_effect_ns = 0;
  EXPECT_EQ(verdict_of(evidence(1.5, 1.4, 1.6, 0.0079, 5, 60), none), Verdict::regression);
  // At 10 µs the minimum effect (1 %) is below the threshold: the limit is the threshold.
  EXPECT_DOUBLE_EQ(stage_limit(evidence(1.0, 1.0, 1.0, 1), {}), 0.05);
}

TEST(JudgeStage, StageNobodyWentThroughPasses) {
  StageComparison s;
  s.stage = "dispatch";
  s.exercised = false;
  const StageVerdict v = judge_stage("P1", s, {});
  EXPECT_EQ(v.verdict, Verdict::pass);
  EXPECT_EQ(v.reason, "no request went through this stage on either side");
}

TEST(Judge, OverallVerdictAndExitStatus) {
  using fb::testing::add_runs;
  nlohmann::json a = fb::testing::results_doc(), b = fb::testing::results_doc();
  add_runs(a, "P0", "dispatch", {1000, 1010, 990, 1005, 995});
  add_runs(b, "P0", "dispatch", {3000, 3010, 2990, 3005, 2995});  // +200 %: regression
  add_runs(a, "P1", "total", {1000, 1000, 1000});
  add_runs(b, "P1", "total", {1000, 1000, 1000});
  CompareSettings cs;
  cs.stages = {"dispatch", "total"};
  const Comparison c = compare_results(a, source_info(a, "A"), b, source_info(b, "B"), cs);
  const GateResult g = judge(c, {});
  ASSERT_EQ(g.stages.size(), 4u);
  EXPECT_EQ(g.stages[0].verdict, Verdict::regression);
  EXPECT_EQ(g.stages[0].config, "P0");
  EXPECT_EQ(g.stages[0].data->stage, "dispatch");
  EXPECT_EQ(g.overall, Verdict::regression);
  EXPECT_EQ(exit_status(g.overall), kExitFailure);
  // P1 has 3 repetitions: flagged as unable to ever regress.
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_NE(g.warnings[0].find("P1: 3 (baseline) vs 3 (candidate) repetitions"), std::string::npos) << g.warnings[0];

  EXPECT_EQ(exit_status(Verdict::pass), kExitOk);
  EXPECT_EQ(exit_status(Verdict::improvement), kExitOk);
  EXPECT_EQ(exit_status(Verdict::inconclusive), kExitInconclusive);
}
