#include "harness/commands/phases/plan.h"

#include "harness/cli/exit_codes.h"
#include "harness/stats/instrumentation_tax.h"

namespace fb::harness {
namespace {

void add_unique(std::vector<PlannedConfig>& out, std::string label, const OptimizationSet& opts) {
  for (const PlannedConfig& c : out) {
    if (c.opts == opts) return;  // e.g. "direct alone" is P1, "inline-future left out" is P3
  }
  out.push_back({std::move(label), opts});
}

}  // namespace

std::vector<PlannedConfig> plan_configs(const PlanRequest& request) {
  std::vector<PlannedConfig> out;
  for (const std::string& phase : request.phases) {
    auto opts = phase_optimizations(phase);
    if (!opts) throw UsageError("--phases: unknown phase '" + phase + "' (accepted: " + phase_names_list() + ")");
    add_unique(out, phase_of(*opts), *opts);
  }
  if (request.ablation || request.factorial) {
    // Savings are measured against P0 (alone) and against all of them (left out).
    const OptimizationSet all = all_optimizations();
    add_unique(out, "P0", OptimizationSet{});
    add_unique(out, phase_of(all), all);
    for (Optimization opt : kAllOptimizations) {
      OptimizationSet alone;
      alone.set(opt);
      add_unique(out, std::string(optimization_name(opt)), alone);
    }
    for (Optimization opt : kAllOptimizations) {
      OptimizationSet all_but = all;
      all_but.set(opt, false);
      add_unique(out, "-" + std::string(optimization_name(opt)), all_but);
    }
  }
  if (request.factorial) {
    for (unsigned mask = 0; mask < (1u << kAllOptimizations.size()); ++mask) {
      OptimizationSet s;
      for (std::size_t i = 0; i < kAllOptimizations.size(); ++i) {
        if (mask & (1u << i)) s.set(kAllOptimizations[i]);
      }
      add_unique(out, config_label(s), s);
    }
  }
  if (request.instrumentation_tax) {
    const std::size_t measured = out.size();
    for (std::size_t c = 0; c < measured; ++c) {
      if (!unavailable_reason(out[c].opts).empty()) continue;  // nothing to compare with
      out.push_back({out[c].label + kEndsSuffix, out[c].opts, true});
    }
  }
  return out;
}

std::vector<PlannedRun> interleave(std::size_t configs, int repetitions) {
  std::vector<PlannedRun> runs;
  for (int rep = 0; rep < repetitions; ++rep) {
    for (std::size_t c = 0; c < configs; ++c) runs.push_back({c, rep});
  }
  return runs;
}

PhasePlan plan_phases(const PlanRequest& request, int repetitions) {
  PhasePlan plan;
  plan.configs = plan_configs(request);
  for (const PlannedConfig& c : plan.configs) plan.unsupported.push_back(unavailable_reason(c.opts));
  for (const PlannedRun& r : interleave(plan.configs.size(), repetitions)) {
    if (plan.unsupported[r.config].empty()) plan.runs.push_back(r);
  }
  return plan;
}

}  // namespace fb::harness
