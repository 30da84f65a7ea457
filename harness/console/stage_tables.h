// The per-stage tables `run` prints and the one line per configuration `phases` prints,
// rendered from the typed statistics (harness/stats/configuration_aggregate.h) the results
// file holds too, so the console shows what the file says.
#pragma once

#include <cstdio>
#include <vector>

#include "harness/results/results_model.h"
#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"

namespace fb::harness {

// One table per configuration: per stage the medians over repetitions of p50/p90/p99/p99.9/mean,
// the p50 spread across repetitions, the share of all request time, and the closure line (sum of
// stage p50s vs total p50).
void print_stage_tables(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

// One line per configuration: total p50 with its CI, its spread, p99, throughput, and the step
// from the phase before; then dispatch/gil/future p50s. The instrumentation-tax twins
// ("<config>/ends") are left out: console/noise.h prints them.
void print_phase_summary(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

// For own-GIL runs: one line per sub-interpreter (thread, id, start-up time, RSS growth) and
// one per route that fell back to the main interpreter. Prints nothing for shared-GIL runs.
void print_interpreters(const ResultsDocument& doc, std::FILE* out);

// Per configuration that measured the attach + call + detach floor: total p50, floor, and
// total / floor (medians over repetitions).
void print_call_floor(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

}  // namespace fb::harness
