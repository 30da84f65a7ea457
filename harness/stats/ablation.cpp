#include "harness/stats/ablation.h"

#include "framework/options.h"

namespace fb::harness {
namespace {

// Total p50 of every supported repetition, stamped at every point, whose switch set equals `opts`.
std::vector<double> total_p50s(const std::vector<RunSummary>& runs, const OptimizationSet& opts) {
  const std::vector<std::string> names = opts.names();
  std::vector<double> out;
  for (const RunSummary& r : runs) {
    if (!r.measured() || r.stamps != "all" || r.opts != names) continue;  // not the instrumentation-tax runs
    out.push_back(r.stage(FB_STAGE_TOTAL).p50_ns);
  }
  return out;
}

}  // namespace

std::vector<AblationEntry> ablation(const std::vector<RunSummary>& runs) {
  std::vector<AblationEntry> out;
  const OptimizationSet none;
  const OptimizationSet all = all_optimizations();
  for (Optimization opt : kAllOptimizations) {
    OptimizationSet alone;
    alone.set(opt);
    OptimizationSet all_but = all;
    all_but.set(opt, false);
    const auto base = total_p50s(runs, none), with = total_p50s(runs, alone);
    const auto without = total_p50s(runs, all_but), full = total_p50s(runs, all);
    if (base.empty() || with.empty() || without.empty() || full.empty()) continue;
    out.push_back({std::string(optimization_name(opt)), saving(base, with), saving(without, full)});
  }
  return out;
}

}  // namespace fb::harness
