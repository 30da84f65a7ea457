#include "harness/measure.h"

#include <fmt/format.h>

#include "framework/app.h"
#include "harness/exit_codes.h"
#include "harness/load/closed_loop.h"
#include "harness/progress.h"
#include "probes/clock.h"

namespace fb::harness {

std::vector<RunRecord> measure_configuration(const Scenario& scenario, const ResolvedLoad& load, const OptimizationSet& opts,
                                             double stamp_cost_ns, bool show_progress, WaitPolicy wait,
                                             const InjectedDelay& delay) {
  AppConfig config;
  for (const ScenarioRoute& r : scenario.routes) config.routes.push_back({r.method, r.path, r.handler});
  config.python_path = scenario.python_path;
  config.optimizations = opts;
  config.workers = static_cast<std::size_t>(load.workers);
  config.future_spin = std::chrono::nanoseconds(load.future_spin_ns);
  config.wait = wait;
  config.inject_delay = delay;

  std::unique_ptr<App> app;
  try {
    app = std::make_unique<App>(config);
  } catch (const ConfigError& e) {
    if (e.route() != ConfigError::npos) {
      throw UsageError(fmt::format("{}:{}: {}", scenario.file, scenario.routes[e.route()].line, e.what()));
    }
    throw UsageError(fmt::format("{}: {}", scenario.file, e.what()));
  }

  RequestMix mix(scenario);
  ClosedLoopSettings settings{load.requests, load.warmup, load.clients, load.seed};
  std::vector<RunRecord> runs;
  for (std::int64_t rep = 0; rep < load.repetitions; ++rep) {
    LoadProgress progress;
    RunRecord run;
    run.config = config_label(opts);
    run.phase = phase_of(opts);
    run.opts = opts.names();
    if (opts.lockfree) run.wait = std::string(wait_policy_name(wait));
    run.repetition = static_cast<int>(rep);
    run.stamp_cost_ns = stamp_cost_ns;
    {
      ProgressBar bar(fmt::format("{} rep {}/{}", run.config, rep + 1, load.repetitions), load.requests, progress.done,
                      show_progress);
      run.load = run_closed_loop(*app, mix, settings, &progress);
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<RouteRecord> route_records(const Scenario& scenario) {
  std::vector<RouteRecord> out;
  for (const ScenarioRoute& r : scenario.routes) {
    // Classification into fast/blocking/async arrives with optimization #1; until then the
    // only kind known is the scenario's own override.
    out.push_back({r.method, r.path, r.handler, r.kind.empty() ? "unclassified" : r.kind,
                   r.kind.empty() ? "not classified: every handler runs on the executor" : "scenario override", 0});
  }
  return out;
}

ResultsDocument make_document(const std::string& command, const Scenario& scenario, const ResolvedLoad& load,
                              double stamp_cost_ns) {
  ResultsDocument doc;
  doc.command = command;
  doc.context.machine = machine_info();
  doc.context.build = build_info();
  doc.context.python = python::python_info();
  doc.context.date = utc_now_iso8601();
  const probes::ClockCalibration& clock = probes::clock_calibration();
  doc.context.clock_source = clock.source;
  doc.context.ns_per_tick = clock.ns_per_tick;
  doc.context.stamp_cost_ns = stamp_cost_ns;
  doc.scenario_name = scenario.name;
  doc.scenario_file = scenario.file;
  doc.config = {load.requests, load.warmup, load.clients, load.workers, load.repetitions, load.seed, "inproc", 0};
  doc.config.future_spin_ns = load.future_spin_ns;
  doc.routes = route_records(scenario);
  return doc;
}

}  // namespace fb::harness
