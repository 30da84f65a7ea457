// Results documents as JSON: the schema documented in docs/results-schema.md, whose key names
// are a contract.
//
// Format history (bump kSchemaVersion when renaming or removing a key; adding is free):
//   1 - first version: context, scenario, config, routes, runs[] with stages, aggregates[].
//       Added since (no renames): config.inject_delay (null, or {stage, ns, spec} when
//       --inject-delay was used: such a file measures a deliberately slowed pipeline);
//       runs[].probes.{requested, sample, sampled_requests, ebpf, overhead_ns_per_request,
//       cross_validation}, context.ebpf; runs[].call_floor_ns (harness/call_floor.h), phase
//       "P5" and opt "fast-marshal", context.options.FASTERBENCH_OPT_FAST_MARSHAL.
//       runs[].routes[] (requests and errors per route), aggregates[].error_rate,
//       .error_rate_exceeded, .route_errors[], config.max_error_rate; phases: runs[].crashed and
//       .crash_log, aggregates[].crashed and .crashed_repetitions, "complete" and "resume".
//       context.steal_pct and runs[].steal_pct are null when steal time could not be read.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "harness/results/results_model.h"

namespace fb::harness {

inline constexpr int kSchemaVersion = 1;

// The whole document. Its aggregates are doc.aggregates (computed by the caller, see
// harness/stats/configuration_aggregate.h): this only renders.
nlohmann::json results_to_json(const ResultsDocument& doc);

// One run measured in this process, as runs[i].
nlohmann::json run_to_json(const RunRecord& run);

// context.placement and context.process, written and read back.
nlohmann::json placement_to_json(const Placement& placement);
Placement placement_from_json(const nlohmann::json& placement);
nlohmann::json process_record_to_json(const ProcessRecord& process);
// context.measure: {"metric": "time", ...} or the instruction tool, its version and cost.
nlohmann::json measure_record_to_json(const MeasureRecord& measure);
MeasureRecord measure_record_from_json(const nlohmann::json& measure);
// A run written by instruction_run_to_json (runs[].measure == "instructions"), read back for
// the console: config, repetition, opts, requests and the instruction counts.
RunRecord instruction_run_from_json(const nlohmann::json& run);
ProcessRecord process_record_from_json(const nlohmann::json& process);

// One stage's summary: count, mean_ns, p50_ns .. max_ns, percentiles, histogram. `signed_mean`
// replaces the histogram's mean (the `other` residual can be negative).
nlohmann::json stage_to_json(const probes::Histogram& histogram, double signed_mean);

}  // namespace fb::harness
