// The routes as the pipeline classified them: the `--explain-routes` table (before any load)
// and the routes block of the run summary (rendered from the results JSON, like the stage
// tables, so the console shows what the file holds).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <vector>

#include "framework/app.h"
#include "framework/options.h"
#include "harness/scenario.h"

namespace fb::harness {

// One row per route: method, path, handler, kind, where it runs under `opts`, and the reason.
void print_route_explanation(const Scenario& scenario, const std::vector<RouteInfo>& routes,
                             const OptimizationSet& opts, std::FILE* out);

// doc["routes"]: method, path, handler, kind and demotions (reasons: --explain-routes).
void print_route_summary(const nlohmann::json& doc, std::FILE* out);

// Where a kind of handler runs in a configuration: "calling thread", "executor" or
// "worker event loop".
const char* where_it_runs(HandlerKind kind, const OptimizationSet& opts);

}  // namespace fb::harness
