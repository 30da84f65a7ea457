#include "harness/measure/measure.h"

#include <fmt/format.h>

#include <algorithm>

#include "harness/measure/call_floor.h"
#include "harness/cli/exit_codes.h"
#include "harness/host/sysinfo.h"
#include "harness/load/pipeline_load.h"
#include "harness/load/sender_record.h"
#include "harness/measure/instruction_windows.h"
#include "harness/placement/thread_census.h"
#include "harness/probes/probe_session.h"
#include "harness/measure/progress.h"
#include "framework/thread_names.h"
#include "probes/clock.h"

namespace fb::harness {

AppConfig app_config(const Scenario& scenario, const RunSettings& settings) {
  AppConfig config;
  for (const ScenarioRoute& r : scenario.routes) {
    // The scenario parser accepts only "", "fast", "blocking" and "async".
    config.routes.push_back({r.method, r.path, r.handler, r.kind.empty() ? std::nullopt : kind_from_override(r.kind)});
  }
  config.python_path = scenario.python_path;
  config.optimizations = settings.opts;
  config.workers = static_cast<std::size_t>(settings.workers);
  config.future_spin = settings.future_spin;
  config.wait = settings.wait;
  config.demotion = settings.demotion;
  config.inject_delay = settings.delay;
  config.subinterp_fallback = settings.subinterp_fallback;
  return config;
}

std::unique_ptr<App> start_app(const Scenario& scenario, const AppConfig& config) {
  try {
    return std::make_unique<App>(config);
  } catch (const ConfigError& e) {
    if (scenario.file.empty()) throw UsageError(e.what());  // an app built in memory (guest mode): no file to name
    if (e.route() != ConfigError::npos) {
      throw UsageError(fmt::format("{}:{}: {}", scenario.file, scenario.routes[e.route()].line, e.what()));
    }
    throw UsageError(fmt::format("{}: {}", scenario.file, e.what()));
  }
}

ConfigurationResult measure_configuration(const Scenario& scenario, const RunSettings& load, const LoadPlan& plan,
                                          double stamp_cost_ns, bool show_progress, ProbeSession* probe_session) {
  const OptimizationSet& opts = load.opts;
  const Placement& placement = load.placement;
  const bool place = !placement.cpus.empty();
  if (place) place_process(placement);  // before the app starts: its threads inherit the CPUs
  std::unique_ptr<App> app = start_app(scenario, app_config(scenario, load));
  if (place) place_pipeline_threads(placement);

  ConfigurationResult result;
  CallgrindWindows callgrind_windows;  // used with --measure instructions only
  auto stopped = [&load] { return load.stop != nullptr && load.stop->load(); };
  for (std::int64_t rep = 0; rep < load.repetitions && !stopped(); ++rep) {
    LoadSettings settings{plan.measured_requests(), load.warmup, load.clients, load.seed};
    settings.caller_is_first_client = load.caller_is_first_client;
    settings.stop = load.stop;
    settings.blocks = std::min<std::int64_t>(kNoiseBlocks, plan.measured_requests());
    settings.mode = plan.mode();
    settings.ends_only = load.stamps_ends;
    if (probe_session != nullptr) probe_session->prepare_run(static_cast<int>(rep), settings);
    settings.on_client_start = [&placement, place](std::size_t client) {
      if (place) {
        place_client_thread(placement, client);
      } else {
        name_this_thread(kClientThreadPrefix, client);
      }
    };
    ThreadCensus census;
    std::vector<ThreadRecord> threads;
    settings.on_measure_start = [&census, &app, probe_start = std::move(settings.on_measure_start)] {
      if (probe_start) probe_start();
      app->clear_errors();  // warm-up errors are not the run's (no request is in flight here)
      census.begin();
    };
    settings.on_measure_end = [&census, &threads] { threads = census.end(); };
    LoadProgress progress;
    RunRecord run;
    // A run stamped at its ends only is its own group ("P0/ends"), with no phase: it measures the
    // instrument, not a phase of the plan.
    run.config = config_label(opts) + (load.stamps_ends ? "/ends" : "");
    run.phase = load.stamps_ends ? "" : phase_of(opts);
    run.stamps = load.stamps_ends ? "ends" : "all";
    run.opts = opts.names();
    if (opts.lockfree) run.wait = std::string(wait_policy_name(load.wait));
    run.repetition = static_cast<int>(rep);
    run.stamp_cost_ns = stamp_cost_ns;
    const std::uint64_t demotions_before = app->demotions();
    {
      ProgressBar bar(fmt::format("{} rep {}/{}", run.config, rep + 1, load.repetitions), plan.measured_requests(),
                      progress.done, show_progress);
      if (load.count_instructions) {
        // resolve_run_settings refuses an open loop with --measure instructions: windows are closed loops.
        InstructionCounts counts;
        run.load = run_instruction_windows(*app, plan.mix(), settings, callgrind_windows, counts, &progress);
        run.instructions = std::move(counts);
      } else {
        run.load = plan.open() ? run_open_loop(*app, plan.table(), plan.route_count(), plan.schedule(), settings, &progress)
                               : run_closed_loop(*app, plan.mix(), settings, &progress);
      }
    }
    run.routes = route_runs(scenario, run.load, app->errors());
    if (plan.replay() != nullptr) run.replay = *plan.replay();
    run.threads = std::move(threads);
    if (probe_session != nullptr) probe_session->finish_run(run);
    run.call_floor_ns = measure_call_floor_ns();  // same process, same moment as the requests
    // Demotions of this repetition, its warm-up included. A demoted route stays demoted for
    // the app's life, i.e. for the later repetitions of this configuration too.
    run.demotions = app->demotions() - demotions_before;
    result.runs.push_back(std::move(run));
  }
  result.routes = route_records(scenario, app->routes());
  // Where handlers ran. Interpreters are per App (made when a thread first runs Python), so every
  // repetition of this configuration reports the same ones.
  const std::vector<python::InterpreterRecord> interpreters = app->interpreters();
  std::vector<std::string> route_interpreters;
  for (std::size_t r = 0; r < scenario.routes.size(); ++r) {
    route_interpreters.push_back(app->route_interpreter(r));
    result.routes[r].interpreter = route_interpreters.back();
  }
  for (RunRecord& run : result.runs) {
    run.interpreter_layout = std::string(app->interpreter_layout());
    run.interpreters = interpreters;
    run.route_interpreters = route_interpreters;
  }
  return result;
}

std::vector<RouteRun> route_runs(const Scenario& scenario, LoadResult& load, const std::vector<RouteErrors>& errors) {
  std::vector<RouteRun> out;
  for (std::size_t i = 0; i < load.routes.size() && i < scenario.routes.size(); ++i) {
    RouteLoad& from = load.routes[i];
    RouteRun r;
    r.route = i;
    r.method = scenario.routes[i].method;
    r.path = scenario.routes[i].path;
    r.requests = from.requests;
    r.client_errors = from.client_errors;
    r.errors.count = from.server_errors;
    if (i < errors.size()) {
      for (const ErrorSample& e : errors[i].samples) {
        r.errors.messages.push_back({e.type, e.message, scenario.routes[i].handler, e.count});
      }
    }
    r.stages = from.stages ? std::shared_ptr<const probes::InprocRecorder>(std::move(from.stages))
                           : std::make_shared<const probes::InprocRecorder>();
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RouteRecord> route_records(const Scenario& scenario, const std::vector<RouteInfo>& routes) {
  std::vector<RouteRecord> out;
  for (std::size_t i = 0; i < scenario.routes.size(); ++i) {
    const ScenarioRoute& r = scenario.routes[i];
    const RouteInfo& info = routes.at(i);
    out.push_back({r.method, r.path, r.handler, std::string(kind_name(info.kind)), info.reason, info.demotions});
  }
  return out;
}

ResultsDocument make_document(const std::string& command, const Scenario& scenario, const RunSettings& load,
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
  doc.config.future_spin_ns = load.future_spin.count();
  doc.config.demote_budget_ns = static_cast<std::int64_t>(load.demotion.budget.count());
  doc.config.demote_after = load.demotion.after;
  doc.config.wait = std::string(wait_policy_name(load.wait));
  doc.config.inject_delay = to_string(load.delay);
  doc.config.inject_work = work_to_string(load.delay);
  doc.config.measure = load.count_instructions ? "instructions" : "time";
  doc.config.subinterp_fallback = std::string(subinterp_fallback_name(load.subinterp_fallback));
  return doc;
}

}  // namespace fb::harness
