// Measuring one configuration (a set of optimization switches) on a scenario: start the app,
// run warm-up + measured load once per repetition, return one RunRecord per repetition.
#pragma once

#include <vector>

#include "framework/dispatch/wait_strategy.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "harness/load_options.h"
#include "harness/results/results_model.h"
#include "harness/scenario.h"

namespace fb::harness {

// Throws UsageError when the app cannot start (unknown handler, bad route: the message names
// the scenario file, line and route) or the configuration is unavailable.
// `delay` is the testing aid of framework/inject_delay.h (off by default).
std::vector<RunRecord> measure_configuration(const Scenario& scenario, const ResolvedLoad& load,
                                             const OptimizationSet& opts, double stamp_cost_ns, bool show_progress,
                                             WaitPolicy wait = WaitPolicy::adaptive, const InjectedDelay& delay = {});

// The routes[] block for a scenario.
std::vector<RouteRecord> route_records(const Scenario& scenario);

// A document with the context filled in from this machine, build and run.
ResultsDocument make_document(const std::string& command, const Scenario& scenario, const ResolvedLoad& load,
                              double stamp_cost_ns);

}  // namespace fb::harness
