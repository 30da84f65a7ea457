// Measuring one configuration (a set of optimization switches) on a scenario: start the app,
// run warm-up + measured load once per repetition, return one RunRecord per repetition and
// the routes as the app classified them.
#pragma once

#include <memory>
#include <vector>

#include "framework/app.h"
#include "harness/measure/load_plan.h"
#include "harness/measure/run_settings.h"
#include "harness/results/results_model.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

// Blocks per run for the within-process part of the noise budget (LoadSettings::blocks):
// five blocks of a 100,000-request run hold 20,000 requests each, enough for a p50 whose own
// sampling error (well under 1 %) is small beside the run-to-run noise being measured.
inline constexpr std::int64_t kNoiseBlocks = 5;

class ProbeSession;

// The App configuration for a scenario under `settings`.
AppConfig app_config(const Scenario& scenario, const RunSettings& settings);

// Starts the app (loads and classifies the handlers). Throws UsageError when it cannot start
// (unknown handler, bad route: the message names the scenario file, line and route) or the
// configuration is unavailable.
std::unique_ptr<App> start_app(const Scenario& scenario, const AppConfig& config);

struct ConfigurationResult {
  std::vector<RunRecord> runs;
  std::vector<RouteRecord> routes;  // classification, and demotions over all repetitions
};

// `probe_session`, when given, samples requests for the eBPF backend and adds its findings to
// each run. `plan`: what to send (closed loop, open loop or replay), made from the same settings.
ConfigurationResult measure_configuration(const Scenario& scenario, const RunSettings& settings, const LoadPlan& plan,
                                          double stamp_cost_ns, bool show_progress, ProbeSession* probe_session = nullptr);

// runs[].routes[]: each scenario route's part of `load`, whose per-route recorders move into it,
// with the first distinct errors the app logged for it (`errors`, App::errors()).
std::vector<RouteRun> route_runs(const Scenario& scenario, LoadResult& load, const std::vector<RouteErrors>& errors);

// The routes[] block: the scenario's routes with the app's classification and demotions.
std::vector<RouteRecord> route_records(const Scenario& scenario, const std::vector<RouteInfo>& routes);

// A document with the context filled in from this machine, build and run. Its routes[] are
// filled in by the caller from a measurement (route_records).
ResultsDocument make_document(const std::string& command, const Scenario& scenario, const RunSettings& settings,
                              double stamp_cost_ns);

}  // namespace fb::harness
