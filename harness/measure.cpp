#include "harness/measure.h"

#include <fmt/format.h>

#include "framework/app.h"
#include "harness/exit_codes.h"
#include "harness/load/closed_loop.h"
#include "harness/progress.h"
#include "probes/clock.h"

namespace fb::harness {

std::vector<RunRecord> measure_configuration(const Scenario& scenario, const ResolvedLoad& load, const OptimizationSet& opts,
                                             double stamp_cost_ns, bool show_progress, WaitPolicy wait) {
  AppConfig config;
  for (const ScenarioRoute& r : scenario.routes) config.routes.push_back({r.method, r.path, r.handler});
  config.python_path = scenario.python_path;
  config.optimizations = opts;
  config.workers = static_cast<std::size_t>(load.workers);
  config.future_spin = std::chrono::nanoseconds(load.future_spin_ns);
  config.wait = wait;
  config.subinterp_fallback = load.subinterp_fallback;

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
  // Where handlers ran. Interpreters are per App (made when a thread first runs Python), so every
  // repetition of this configuration reports the same ones.
  const std::vector<python::InterpreterRecord> interpreters = app->interpreters();
  std::vector<std::string> route_interpreters;
  for (std::size_t r = 0; r < scenario.routes.size(); ++r) route_interpreters.push_back(app->route_interpreter(r));
  for (RunRecord& run : runs) {
    run.interpreter_layout = opts.subinterp ? "own-gil" : "shared-gil";
    run.interpreters = interpreters;
    run.route_interpreters = route_interpreters;
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
  doc.config.subinterp_fallback = std::string(subinterp_fallback_name(load.subinterp_fallback));
  doc.routes = route_records(scenario);
  return doc;
}

}  // namespace fb::harness
