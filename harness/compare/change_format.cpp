#include "harness/compare/change_format.h"

#include <fmt/format.h>

#include <cmath>

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

}  // namespace fb::harness
