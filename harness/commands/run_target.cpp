#include "harness/commands/run_target.h"

#include <fmt/format.h>


#include "harness/cli/exit_codes.h"
#include "harness/console/load.h"
#include "harness/console/stage_tables.h"
#include "harness/load/http_load.h"
#include "harness/measure/measure.h"
#include "harness/measure/progress.h"
#include "harness/measure/stamp_cost.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/results/summaries.h"
#include "harness/scenario/scenario.h"
#include "probes/clock.h"

namespace fb::harness {
namespace {

// Everything in RunOptions that configures the pipeline or the in-process probes: meaningless
// against a server that is already running with its own configuration.
void reject_pipeline_options(const RunOptions& o) {
  const auto refuse = [](const std::string& flag) {
    throw UsageError("--target with " + flag +
                     ": the server's configuration is the server's (start it with `fasterbench serve " + flag +
                     " ...`); drop " + flag + " here");
  };
  if (!o.phase.empty()) refuse("--phase");
  if (!o.opts.empty()) refuse("--opt");
  if (!o.wait.empty()) refuse("--wait");
  if (o.explain_routes) refuse("--explain-routes");
  if (o.probes != "inproc") refuse("--probes");
  if (o.require_ebpf) refuse("--require-ebpf");
  if (o.probe_ab) refuse("--probe-ab");
  if (!o.inject_delay.empty()) refuse("--inject-delay");
  if (o.workers) refuse("--workers");
  if (o.future_spin_ns) refuse("--future-spin-ns");
  if (o.stamps != "all") refuse("--stamps");
}

}  // namespace

int cmd_run_target(const RunOptions& o) {
  reject_pipeline_options(o);
  const HttpTarget target = parse_http_target(o.target);
  const Scenario scenario = load_scenario_option(o.scenario);
  const RunSettings load = resolve_run_settings(o, scenario);
  require_output_directory("--out", o.out);
  reexecute_if_needed(resolve_hygiene(o));
  probes::calibrate_clock();

  const LoadPlan plan(scenario, load);
  std::optional<GeneratorLimit> limit;
  if (plan.open()) limit = check_generator_limit(plan, load.clients);

  ResultsDocument doc = make_document("run", scenario, load, measure_stamp_cost_ns());
  doc.config.workers = 0;  // the server's
  doc.config.target = target.url;
  doc.config.load = plan.mode();
  doc.config.load_plan = plan.describe();
  for (std::int64_t rep = 0; rep < load.repetitions; ++rep) {
    LoadSettings settings{plan.measured_requests(), load.warmup, load.clients, load.seed};
    settings.mode = plan.mode();
    LoadProgress progress;
    RunRecord run;
    run.config = "target";
    run.repetition = static_cast<int>(rep);
    HttpLoadResult measured;
    try {
      ProgressBar bar(fmt::format("{} rep {}/{}", target.url, rep + 1, load.repetitions), plan.measured_requests(),
                      progress.done, !o.no_progress);
      measured = plan.open() ? run_http_open_loop(target, plan.table(), plan.route_count(), plan.schedule(), settings, &progress)
                             : run_http_closed_loop(target, plan.mix(), settings, &progress);
    } catch (const HttpClientError& e) {
      throw std::runtime_error(fmt::format("--target {}: {}", target.url, e.what()));
    }
    run.load = std::move(measured.load);
    run.target = {target.url, measured.transport_errors, measured.reconnects};
    run.routes = route_runs(scenario, run.load, /*errors=*/{});  // the server knows why; a client sees statuses
    run.generator_limit = limit;
    if (plan.replay() != nullptr) run.replay = *plan.replay();
    doc.runs.push_back(std::move(run));
  }
  for (const ScenarioRoute& r : scenario.routes) doc.routes.push_back({r.method, r.path, r.handler, "", "served by the target", 0});
  std::vector<std::optional<double>> steals;
  for (const RunRecord& r : doc.runs) steals.push_back(r.load.steal_pct);
  doc.context.steal_pct = mean_of_known(steals);

  std::vector<RunSummary> summaries;
  std::uint64_t transport_errors = 0;
  for (const RunRecord& r : doc.runs) {
    summaries.push_back(summarize_run(r));
    transport_errors += r.target->transport_errors;
  }
  doc.aggregates = aggregate_configurations(summaries);
  fmt::print("target {}: the stage table's `total` is the latency each client saw (send -> response read); the "
             "server's own stages are in `fasterbench serve --out`\n",
             target.url);
  print_stage_tables(summarize_document(doc), doc.aggregates, stdout);
  print_load(doc, stdout);
  print_route_tables(doc.aggregates, stdout);
  if (transport_errors > 0) fmt::print("transport errors (resets, broken responses): {}\n", transport_errors);
  if (!o.out.empty()) {
    write_file_atomically(o.out, results_to_json(doc).dump(2) + "\n");
    fmt::print("results: {}\n", o.out);
  }
  return kExitOk;
}

}  // namespace fb::harness
