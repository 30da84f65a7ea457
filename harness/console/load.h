// The load sections of `run`: how the load went (offered and achieved rate, lateness, the
// generator's own limit, a loud warning when saturated, Little's law, what the coordinated-
// omission correction changed, the replay's unmatched and malformed lines), and one stage table
// per route when the scenario has several. Rendered from the typed summaries.
#pragma once

#include <cstdio>
#include <vector>

#include "harness/results/results_model.h"
#include "harness/stats/configuration_aggregate.h"

namespace fb::harness {

void print_load(const ResultsDocument& doc, std::FILE* out);

// Per configuration, one table per route (medians over repetitions): a route's stages measured
// on its own requests only. Nothing for a one-route scenario (its table is the run's).
void print_route_tables(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

// Open loop and replay under `phases`: each configuration's offered and achieved rates (medians),
// and a loud line for every configuration with saturated repetitions.
void print_load_summary(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

}  // namespace fb::harness
