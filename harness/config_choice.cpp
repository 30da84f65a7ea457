#include "harness/config_choice.h"

#include <fmt/format.h>

#include <stdexcept>

#include "harness/exit_codes.h"

namespace fb::harness {

OptimizationSet resolve_optimization_choice(const std::string& phase, const std::string& opts) {
  OptimizationSet set;
  if (!opts.empty()) {
    try {
      set = parse_optimizations(opts);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--opt: ") + e.what());
    }
  } else {
    const std::string name = phase.empty() ? "P0" : phase;
    auto found = phase_optimizations(name);
    if (!found) throw UsageError("--phase: unknown phase '" + name + "' (accepted: P0, P1, P2, P3, P4)");
    set = *found;
  }
  if (std::string reason = unavailable_reason(set); !reason.empty()) {
    throw UsageError(fmt::format("{} is not available: {}", config_label(set), reason));
  }
  return set;
}

WaitPolicy resolve_wait_choice(const std::string& wait, const OptimizationSet& opts) {
  if (wait.empty()) return WaitPolicy::adaptive;
  if (!opts.lockfree) {
    throw UsageError("--wait " + wait + " applies to the lock-free queue only; " + config_label(opts) +
                     " uses the mutex queue (add --opt lockfree, or use --phase P2..P4)");
  }
  const auto policy = wait_policy_from_name(wait);
  if (!policy) throw UsageError("--wait: unknown policy '" + wait + "' (spin, yield, park, adaptive)");
  return *policy;
}

}  // namespace fb::harness
