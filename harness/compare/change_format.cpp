#include "harness/compare/change_format.h"

#include <fmt/format.h>

#include <cmath>

#include "harness/compare/comparison.h"
#include "harness/text/units.h"

namespace fb::harness {
namespace {

std::string signed_percent(double ratio) {
  if (std::isinf(ratio)) return ratio > 0 ? "+inf" : "-inf";
  return fmt::format("{:+.1f}", (ratio - 1) * 100);
}

}  // namespace

std::string format_change(double ratio) { return signed_percent(ratio) + " %"; }

std::string format_change_interval(const RatioEstimate& r) {
  return fmt::format("[{}, {}] %", signed_percent(r.ci_low), signed_percent(r.ci_high));
}

std::string format_p(double p) { return p < 1e-4 ? std::string("<0.0001") : fmt::format("{:.4f}", p); }

std::string format_p_clause(double p) { return p < 1e-4 ? std::string("p < 0.0001") : "p = " + format_p(p); }

StageCells stage_cells(const StageComparison& s) {
  if (!s.exercised) return {};
  return {fmt::format("{}/{}", s.baseline.values.size(), s.candidate.values.size()),
          format_ns(s.baseline.median),
          format_ns(s.candidate.median),
          format_change(s.ratio.ratio),
          format_change_interval(s.ratio),
          format_p(s.test.p_value)};
}

}  // namespace fb::harness
