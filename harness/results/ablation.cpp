#include "harness/results/ablation.h"

#include <string>
#include <vector>

#include "framework/options.h"
#include "harness/stats/aggregate.h"

namespace fb::harness {
namespace {

using nlohmann::json;

// Total p50 of every supported repetition, stamped at every point, whose switch set equals `opts`.
std::vector<double> total_p50s(const json& runs, const OptimizationSet& opts) {
  const std::vector<std::string> names = opts.names();
  std::vector<double> out;
  for (const json& r : runs) {
    if (!r.at("supported").get<bool>()) continue;
    if (r.value("stamps", "all") != "all") continue;  // the instrumentation-tax runs
    if (r.at("opts").get<std::vector<std::string>>() != names) continue;
    out.push_back(r.at("stages").at("total").at("p50_ns").get<double>());
  }
  return out;
}

json ci_json(const Aggregate& a) { return {{"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high}}; }

}  // namespace

json ablation_from_runs(const json& runs) {
  json out = json::array();
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
    const Saving alone_saving = saving(base, with);
    const Saving leave_out = saving(without, full);
    out.push_back({{"optimization", std::string(optimization_name(opt))},
                   {"alone_saving_ns", ci_json(alone_saving.absolute)},
                   {"alone_saving_pct", ci_json(alone_saving.percent)},
                   {"leave_out_saving_ns", ci_json(leave_out.absolute)},
                   {"leave_out_saving_pct", ci_json(leave_out.percent)}});
  }
  return out;
}

}  // namespace fb::harness
