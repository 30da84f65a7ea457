// Measuring one configuration (a set of optimization switches) on a scenario: start the app,
// run warm-up + measured load once per repetition, return one RunRecord per repetition and
// the routes as the app classified them.
#pragma once

#include <memory>
#include <vector>

#include "framework/app.h"
#include "framework/dispatch/wait_strategy.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "harness/load_options.h"
#include "harness/placement/placement.h"
#include "harness/results/results_model.h"
#include "harness/scenario.h"

namespace fb::harness {

// How the pipeline itself is set up, beside the optimization switches.
struct PipelineSettings {
  DemotionPolicy demotion;                 // direct path's demotion guard
  WaitPolicy wait = WaitPolicy::adaptive;  // lock-free queue's wait (lockfree only)
  InjectedDelay delay;                     // testing aid (framework/inject_delay.h), off by default
  Placement placement;                     // where its threads run; no CPUs: left to the OS untouched
  bool stamps_ends = false;                // stamp only arrive and response_ready (--stamps ends)
};

// Blocks per run for the within-process part of the noise budget (ClosedLoopSettings::blocks):
// five blocks of a 100,000-request run hold 20,000 requests each, enough for a p50 whose own
// sampling error (well under 1 %) is small beside the run-to-run noise being measured.
inline constexpr std::int64_t kNoiseBlocks = 5;

class ProbeSession;

// The App configuration for a scenario under `opts`.
AppConfig app_config(const Scenario& scenario, const ResolvedLoad& load, const OptimizationSet& opts,
                     const PipelineSettings& settings);

// Starts the app (loads and classifies the handlers). Throws UsageError when it cannot start
// (unknown handler, bad route: the message names the scenario file, line and route) or the
// configuration is unavailable.
std::unique_ptr<App> start_app(const Scenario& scenario, const AppConfig& config);

struct ConfigurationResult {
  std::vector<RunRecord> runs;
  std::vector<RouteRecord> routes;  // classification, and demotions over all repetitions
};

// `probe_session`, when given, samples requests for the eBPF backend and adds its findings to
// each run.
ConfigurationResult measure_configuration(const Scenario& scenario, const ResolvedLoad& load, const OptimizationSet& opts,
                                          const PipelineSettings& pipeline, double stamp_cost_ns, bool show_progress,
                                          ProbeSession* probe_session = nullptr);

// The routes[] block: the scenario's routes with the app's classification and demotions.
std::vector<RouteRecord> route_records(const Scenario& scenario, const std::vector<RouteInfo>& routes);

// A document with the context filled in from this machine, build and run. Its routes[] are
// filled in by the caller from a measurement (route_records).
ResultsDocument make_document(const std::string& command, const Scenario& scenario, const ResolvedLoad& load,
                              const DemotionPolicy& demotion, double stamp_cost_ns);

}  // namespace fb::harness
