// Results documents as JSON: the schema of DESIGN.md ("Results and statistics"), whose key
// names are a contract.
//
// Format history (bump kSchemaVersion when renaming or removing a key; adding is free):
//   1 - first version: context, scenario, config, routes, runs[] with stages, aggregates[].
//       Added since: config.inject_delay (null, or {stage, ns, spec} when --inject-delay was
//       used: such a file measures a deliberately slowed pipeline).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "harness/results/results_model.h"

namespace fb::harness {

inline constexpr int kSchemaVersion = 1;

nlohmann::json results_to_json(const ResultsDocument& doc);

// Per-configuration statistics over the repetitions in `runs` (a JSON array of runs, as
// written by results_to_json), in order of first appearance: median and bootstrap CI of each
// stage's p50/p99/mean and of throughput. Unsupported configurations get no stages.
nlohmann::json aggregates_from_runs(const nlohmann::json& runs);

}  // namespace fb::harness
