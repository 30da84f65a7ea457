#include "harness/commands/phases/merge.h"

#include "harness/results/results_json.h"
#include "harness/results/statistics_json.h"
#include "harness/stats/ablation.h"

namespace fb::harness {

using nlohmann::json;

namespace {

// A configuration `phases` could not run here, or a repetition whose process died: a row with
// no measurements, saying why.
RunRecord row_without_measurements(const PlannedConfig& config, int repetition) {
  RunRecord row;
  row.config = config.label;
  row.phase = config.stamps_ends ? "" : phase_of(config.opts);
  row.opts = config.opts.names();
  row.repetition = repetition;
  row.stamps = config.stamps_ends ? "ends" : "all";
  return row;
}

}  // namespace

PhaseResults merge_phase_results(const PhaseResultsInput& in) {
  const PhasePlan& plan = *in.plan;
  PhaseResults out;
  // context, scenario and config: the first measured child's.
  const ChildResult* first = nullptr;
  for (const ChildResult& c : in.children) {
    if (c.status == ChildResult::Status::measured) {
      first = &c;
      break;
    }
  }
  json document = first != nullptr ? first->document : in.fallback_document;
  // routes[].demotions covers the whole invocation: every process's demotions added up.
  json& routes = document.at("routes");
  for (const ChildResult& c : in.children) {
    if (c.status != ChildResult::Status::measured || &c == first) continue;
    const json& more = c.document.at("routes");
    for (std::size_t r = 0; r < routes.size() && r < more.size(); ++r) {
      routes[r]["demotions"] = routes[r].value("demotions", 0) + more[r].value("demotions", 0);
    }
  }

  // Runs in configuration order, repetitions ascending; rows for what has no measurements.
  json runs = json::array();
  std::vector<RunSummary> summaries;
  std::vector<RunRecord> instruction_runs;
  double steal_sum = 0;
  std::size_t steal_measured = 0;
  for (std::size_t c = 0; c < plan.configs.size(); ++c) {
    const PlannedConfig& config = plan.configs[c];
    if (!plan.unsupported[c].empty()) {
      RunRecord row = row_without_measurements(config, 0);
      row.supported = false;
      row.unsupported_reason = plan.unsupported[c];
      runs.push_back(run_to_json(row));
      summaries.push_back(summarize_run(row));
      continue;
    }
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
      if (plan.runs[i].config != c) continue;
      const ChildResult& child = in.children.at(i);
      if (child.status == ChildResult::Status::not_run) {
        ++out.not_run;
        continue;
      }
      if (child.status == ChildResult::Status::crashed) {
        ++out.crashed;
        RunRecord row = row_without_measurements(config, plan.runs[i].repetition);
        row.crashed = child.crashed;
        row.crash_log = child.log_tail;
        runs.push_back(run_to_json(row));
        summaries.push_back(summarize_run(row));
        continue;
      }
      ++out.measured;
      json run = child.document.at("runs").at(0);
      run["config"] = config.label;
      run["repetition"] = plan.runs[i].repetition;
      if (run.at("steal_pct").is_number()) {
        steal_sum += run.at("steal_pct").get<double>();
        ++steal_measured;
      }
      if (run.value("measure", "time") == "instructions") {
        instruction_runs.push_back(instruction_run_from_json(run));
      } else {
        summaries.push_back(run_summary_from_json(run));
      }
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
  document["config"]["max_error_rate"] = in.max_error_rate ? json(*in.max_error_rate) : json(nullptr);
  // Steal over the runs that measured it; null ("unknown") when none did.
  document["context"]["steal_pct"] = steal_measured == 0 ? json(nullptr) : json(steal_sum / static_cast<double>(steal_measured));
  document["runs"] = runs;
  document["complete"] = out.not_run == 0;

  out.aggregates = aggregate_configurations(summaries);
  mark_error_rate_limit(out.aggregates, in.max_error_rate);
  out.instrumentation_tax = instrumentation_tax(summaries);
  document["aggregates"] = aggregates_to_json(out.aggregates);
  if (in.ablation) document["ablation"] = ablation_to_json(ablation(summaries));
  if (in.instrumentation_tax) document["instrumentation_tax"] = instrumentation_tax_to_json(out.instrumentation_tax);
  out.instruction_runs = std::move(instruction_runs);
  if (document.at("context").contains("measure")) out.measure = measure_record_from_json(document.at("context").at("measure"));
  out.summary = document_summary_from_json(document);
  out.document = std::move(document);
  return out;
}

}  // namespace fb::harness
