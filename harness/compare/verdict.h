// The gate's decision rule: a Comparison (comparison.h) in, one verdict per configuration and
// stage out, plus the overall verdict and its exit status. Pure: renders nothing.
//
// For each stage, with r = median(candidate) / median(baseline), [lo, hi] its bootstrap 95 %
// interval, p the two-sided Mann-Whitney p over repetitions, alpha, and t the stage's limit:
// the threshold, or the minimum effect relative to the baseline median when that is larger
// (t = max(threshold, min_effect_ns / median(baseline)); so a 30 ns stage is not judged on
// 1.5 ns, far below what two clock stamps resolve):
//
//   REGRESSION    p < alpha and lo > 1 + t   (significantly slower, and by more than t even at
//                                             the interval's optimistic end)
//   IMPROVEMENT   p < alpha and hi < 1 - t   (significantly faster by more than t)
//   PASS          otherwise, if hi <= 1 + t  (the data rule out a slowdown beyond t; includes
//                                             real but small changes, and non-significant
//                                             speed-ups)
//   INCONCLUSIVE  otherwise: hi > 1 + t without proof of a regression. The interval leaves room
//                 for a slowdown beyond t but the evidence does not establish one: noise too
//                 high for the threshold at this many repetitions, a change near the threshold,
//                 or too few repetitions for Mann-Whitney to reach alpha at all (below
//                 min_repetitions_for_alpha: 5 per side at alpha 0.01). The verdict says which,
//                 and how many repetitions per side would probably decide
//                 (repetitions_needed()).
//
// A stage no run on either side went through (count 0) is a PASS: nothing can have regressed.
// A stage whose baseline median is 0 but the candidate's is not (a cost that appeared) has
// r = infinity and the plain threshold: it is a REGRESSION when significant.
// Overall: REGRESSION if any stage regressed, else INCONCLUSIVE if any was inconclusive, else
// IMPROVEMENT if any improved, else PASS. Exit status: 0 for PASS and IMPROVEMENT, 1 for
// REGRESSION, 3 for INCONCLUSIVE (exit_codes.h).
//
// Tests per stage are not corrected for multiplicity: a false REGRESSION needs both p < alpha
// and a whole interval beyond the threshold, so with a 5 % threshold the A/A false-alarm rate
// is governed by the threshold, not by alpha (see the measured rates in docs/gate.md).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/compare/comparison.h"

namespace fb::harness {

enum class Verdict { pass, improvement, regression, inconclusive };
const char* verdict_name(Verdict v);  // "PASS", "IMPROVEMENT", "REGRESSION", "INCONCLUSIVE"

// Defaults of `fasterbench gate`.
inline constexpr double kDefaultThreshold = 0.05;
inline constexpr double kDefaultAlpha = 0.01;
// Changes smaller than this many ns in a stage do not count: about four times what one stage
// point costs with the in-process clock here (20-30 ns per stamp, printed with every run),
// which is the resolution of a stage's duration. Small stages (route, gil, handler at 30-100
// ns on hello) would otherwise be judged on fractions of a clock tick and come out
// INCONCLUSIVE on every A/A pair. Effects that small belong to fasterbench-micro.
inline constexpr double kDefaultMinEffectNs = 100;

struct GateSettings {
  double threshold = kDefaultThreshold;  // fraction: 0.05 = 5 %
  double alpha = kDefaultAlpha;
  double min_effect_ns = kDefaultMinEffectNs;  // 0: the threshold alone
};

struct StageVerdict {
  std::string config;
  const StageComparison* data = nullptr;  // points into the judged Comparison
  Verdict verdict = Verdict::pass;
  double limit = 0;                    // the stage's relative threshold t (see above)
  std::string reason;                  // one sentence, always set
  std::size_t repetitions_needed = 0;  // per side; set for INCONCLUSIVE, else 0
};

struct GateResult {
  GateSettings settings;
  std::vector<StageVerdict> stages;  // configuration order, then stage order
  Verdict overall = Verdict::pass;
  std::size_t min_repetitions = 0;   // min_repetitions_for_alpha(alpha)
  std::vector<std::string> warnings; // e.g. a configuration with too few repetitions to ever regress
};

// The Comparison must outlive the result (StageVerdict::data points into it).
GateResult judge(const Comparison& comparison, const GateSettings& settings);

// The stage's limit t: max(threshold, min_effect_ns / median(baseline)), or the threshold when
// the baseline median is 0 or min_effect_ns is 0.
double stage_limit(const StageComparison& stage, const GateSettings& settings);

// The verdict for one stage (what judge() applies to each).
StageVerdict judge_stage(const std::string& config, const StageComparison& stage, const GateSettings& settings);

int exit_status(Verdict overall);

}  // namespace fb::harness
