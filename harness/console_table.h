// The per-stage summary table printed after a run, rendered from the results JSON (so the
// console shows exactly what the file holds).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace fb::harness {

// Prints one table per configuration in doc["aggregates"]: per stage the medians over
// repetitions of p50/p90/p99/p99.9/mean, the p50 spread across repetitions, share of total
// time, and the closure line (sum of stage p50s vs total p50).
void print_stage_tables(const nlohmann::json& doc, std::FILE* out);

// One line per configuration: total p50 with its CI over repetitions, its spread, p99,
// throughput, and the change from the previous configuration; then dispatch/gil/future p50s.
void print_phase_summary(const nlohmann::json& doc, std::FILE* out);

// For own-GIL runs: one line per sub-interpreter (thread, id, start-up time, RSS growth) and
// one per route that fell back to the main interpreter. Prints nothing for shared-GIL runs.
void print_interpreters(const nlohmann::json& doc, std::FILE* out);

}  // namespace fb::harness
