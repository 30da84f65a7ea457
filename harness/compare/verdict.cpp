#include "harness/compare/verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/compare/change_format.h"
#include "harness/cli/exit_codes.h"
#include "harness/stats/repetitions.h"

namespace fb::harness {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "PASS";
    case Verdict::improvement: return "IMPROVEMENT";
    case Verdict::regression: return "REGRESSION";
    case Verdict::inconclusive: return "INCONCLUSIVE";
  }
  return "?";
}

double stage_limit(const StageComparison& s, const GateSettings& g) {
  if (s.baseline.median > 0 && g.min_effect_ns > 0) return std::max(g.threshold, g.min_effect_ns / s.baseline.median);
  return g.threshold;
}

StageVerdict judge_stage(const std::string& config, const StageComparison& s, const GateSettings& g) {
  StageVerdict v;
  v.config = config;
  v.data = &s;
  if (!s.exercised) {
    v.verdict = Verdict::pass;
    v.reason = "no request went through this stage on either side";
    return v;
  }
  v.limit = stage_limit(s, g);
  const double upper = 1 + v.limit, lower = 1 - v.limit;
  const RatioEstimate& r = s.ratio;
  const double p = s.test.p_value;
  const bool significant = p < g.alpha;
  const std::string threshold = v.limit > g.threshold
                                    ? fmt::format("+{:.1f} % (= the {:g} ns minimum effect)", v.limit * 100, g.min_effect_ns)
                                    : fmt::format("+{:.1f} %", v.limit * 100);
  const std::string evidence = fmt::format("{} (95 % CI {}), {}", format_change(r.ratio), format_change_interval(r), format_p_clause(p));
  if (significant && r.ci_low > upper) {
    v.verdict = Verdict::regression;
    v.reason = fmt::format("slower by {}: significant and beyond the {} threshold", evidence, threshold);
    return v;
  }
  if (significant && r.ci_high < lower) {
    v.verdict = Verdict::improvement;
    v.reason = fmt::format("faster: {}, significant and beyond the {} threshold (as a speed-up)", evidence, threshold);
    return v;
  }
  if (r.ci_high <= upper) {
    v.verdict = Verdict::pass;
    v.reason = fmt::format("{}: the interval rules out a slowdown beyond {}", evidence, threshold);
    return v;
  }

  v.verdict = Verdict::inconclusive;
  const std::size_t nb = s.baseline.values.size(), nc = s.candidate.values.size();
  const std::size_t n_min = min_repetitions_for_alpha(g.alpha);
  v.repetitions_needed = repetitions_needed({nb, nc, r.ratio, r.ci_low, r.ci_high, p, upper, g.alpha});
  std::string why;
  if (std::min(nb, nc) < n_min) {
    why = fmt::format("{} vs {} repetitions: Mann-Whitney cannot reach p < {} below {} per side (smallest possible p "
                      "here {:.3g})",
                      nc, nb, g.alpha, n_min, min_two_sided_p(nc, nb));
  } else if (r.ci_low > upper) {
    why = fmt::format("slower beyond the {} threshold but not significant at alpha {}", threshold, g.alpha);
  } else if (r.ratio > upper) {
    why = fmt::format("slower, but the interval still reaches below the {} threshold", threshold);
  } else {
    why = fmt::format("noise too high for the {} threshold at {} vs {} repetitions: the interval reaches above it", threshold,
                      nc, nb);
  }
  const std::string needed = v.repetitions_needed >= kMaxRepetitionsSearched
                                 ? fmt::format("more than {} repetitions per side would be needed", kMaxRepetitionsSearched)
                                 : fmt::format("about {} repetitions per side would probably decide", v.repetitions_needed);
  v.reason = fmt::format("{}; {}; {}", evidence, why, needed);
  return v;
}

GateResult judge(const Comparison& comparison, const GateSettings& settings) {
  GateResult out;
  out.settings = settings;
  out.min_repetitions = min_repetitions_for_alpha(settings.alpha);
  bool regression = false, inconclusive = false, improvement = false;
  for (const ConfigComparison& config : comparison.configs) {
    std::size_t nb = 0, nc = 0;
    for (const StageComparison& stage : config.stages) {
      nb = std::max(nb, stage.baseline.values.size());
      nc = std::max(nc, stage.candidate.values.size());
    }
    if ((nb > 0 || nc > 0) && std::min(nb, nc) < out.min_repetitions) {
      out.warnings.push_back(fmt::format("{}: {} (baseline) vs {} (candidate) repetitions; at alpha {} Mann-Whitney needs >= {} "
                                         "per side, so this configuration can never be judged a REGRESSION",
                                         config.config, nb, nc, settings.alpha, out.min_repetitions));
    }
    for (const StageComparison& stage : config.stages) {
      StageVerdict v = judge_stage(config.config, stage, settings);
      regression = regression || v.verdict == Verdict::regression;
      inconclusive = inconclusive || v.verdict == Verdict::inconclusive;
      improvement = improvement || v.verdict == Verdict::improvement;
      out.stages.push_back(std::move(v));
    }
  }
  out.overall = regression     ? Verdict::regression
                : inconclusive ? Verdict::inconclusive
                : improvement  ? Verdict::improvement
                               : Verdict::pass;
  return out;
}

int exit_status(Verdict overall) {
  switch (overall) {
    case Verdict::pass:
    case Verdict::improvement: return kExitOk;
    case Verdict::regression: return kExitFailure;
    case Verdict::inconclusive: return kExitInconclusive;
  }
  return kExitFailure;
}

}  // namespace fb::harness
