// The routes as the pipeline classified them: the `--explain-routes` table (before any load)
// and the routes block of a run's summary.
#pragma once

#include <cstdio>
#include <vector>

#include "framework/app.h"
#include "framework/options.h"
#include "harness/results/results_model.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

// One row per route: method, path, handler, kind, where it runs under `opts`, and the reason.
void print_route_explanation(const Scenario& scenario, const std::vector<RouteInfo>& routes,
                             const OptimizationSet& opts, std::FILE* out);

// The document's routes: method, path, handler, kind and demotions (reasons: --explain-routes).
void print_route_summary(const std::vector<RouteRecord>& routes, std::FILE* out);

// Where a kind of handler runs in a configuration: "calling thread", "executor" or
// "worker event loop".
const char* where_it_runs(HandlerKind kind, const OptimizationSet& opts);

}  // namespace fb::harness
