#include "harness/commands/phases/merge.h"

#include "harness/results/results_json.h"
#include "harness/results/statistics_json.h"
#include "harness/stats/ablation.h"

namespace fb::harness {

using nlohmann::json;

PhaseResults merge_phase_results(const PhaseResultsInput& in) {
  const PhasePlan& plan = *in.plan;
  json document = in.children.front();  // context, scenario and config: the first child's
  // routes[].demotions covers the whole invocation: every process's demotions added up.
  json& routes = document.at("routes");
  for (std::size_t i = 1; i < in.children.size(); ++i) {
    const json& more = in.children[i].at("routes");
    for (std::size_t r = 0; r < routes.size() && r < more.size(); ++r) {
      routes[r]["demotions"] = routes[r].value("demotions", 0) + more[r].value("demotions", 0);
    }
  }

  // Runs in configuration order, repetitions ascending; unsupported configurations as rows.
  json runs = json::array();
  std::vector<RunSummary> summaries;
  double steal_sum = 0;
  std::size_t measured = 0;
  for (std::size_t c = 0; c < plan.configs.size(); ++c) {
    const PlannedConfig& config = plan.configs[c];
    if (!plan.unsupported[c].empty()) {
      RunRecord row;
      row.config = config.label;
      row.phase = phase_of(config.opts);
      row.opts = config.opts.names();
      row.supported = false;
      row.unsupported_reason = plan.unsupported[c];
      runs.push_back(run_to_json(row));
      summaries.push_back(summarize_run(row));
      continue;
    }
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
      if (plan.runs[i].config != c) continue;
      json run = in.children[i].at("runs").at(0);
      run["config"] = config.label;
      run["repetition"] = plan.runs[i].repetition;
      steal_sum += run.at("steal_pct").get<double>();
      ++measured;
      summaries.push_back(run_summary_from_json(run));
      runs.push_back(std::move(run));
    }
  }
  document["tool"]["command"] = "phases";
  // routes[].interpreter comes from the first run ("main" under the shared GIL); when some
  // configuration used own-GIL sub-interpreters, it says where each route ran there ("own (...)"
  // or "main (fallback: ...)"). Every run carries its own list in runs[].route_interpreters.
  for (const json& run : runs) {
    if (run.value("interpreter_layout", "") != "own-gil" || !run.contains("route_interpreters")) continue;
    for (std::size_t r = 0; r < routes.size() && r < run["route_interpreters"].size(); ++r) {
      routes[r]["interpreter"] = run["route_interpreters"][r];
    }
    break;
  }
  document["config"]["repetitions"] = in.repetitions;
  document["config"]["seed"] = in.seed;
  document["config"]["isolation"] = "process";
  document["config"]["wait"] = in.wait.empty() ? "adaptive" : in.wait;
  document["context"]["steal_pct"] = measured == 0 ? 0.0 : steal_sum / static_cast<double>(measured);
  document["runs"] = runs;

  PhaseResults out;
  out.aggregates = aggregate_configurations(summaries);
  out.instrumentation_tax = instrumentation_tax(summaries);
  document["aggregates"] = aggregates_to_json(out.aggregates);
  if (in.ablation) document["ablation"] = ablation_to_json(ablation(summaries));
  if (in.instrumentation_tax) document["instrumentation_tax"] = instrumentation_tax_to_json(out.instrumentation_tax);
  out.summary = document_summary_from_json(document);
  out.document = std::move(document);
  return out;
}

}  // namespace fb::harness
