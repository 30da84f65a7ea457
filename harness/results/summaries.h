// A results document as statistics and consoles need it, typed: one RunSummary per run and a
// DocumentSummary of the whole. A run measured in this process (summarize_run) and a run read
// back from a child's results file (run_summary_from_json) give the same record, so the
// aggregates over repetitions are computed once, in one way
// (harness/stats/configuration_aggregate.h), and the JSON writer and the consoles only render.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/hygiene/process_hygiene.h"
#include "harness/placement/placement.h"
#include "harness/placement/thread_census.h"
#include "harness/results/route_errors.h"
#include "harness/stats/load_figures.h"
#include "probes/stage_names.h"

namespace fb::harness {

struct RunRecord;
struct ResultsDocument;

// One stage of one run: runs[].stages.<stage>.
struct StageFigures {
  std::uint64_t count = 0;
  double mean_ns = 0;  // signed (the `other` residual can be negative)
  double p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  std::optional<double> allocations_per_request;  // none: not counted
};

// One route of one run: runs[].routes[].
struct RouteSummary {
  std::size_t route = 0;
  std::string method, path;
  std::uint64_t requests = 0, client_errors = 0, errors = 0;  // errors: 5xx
  std::vector<ErrorMessage> error_messages;  // the first distinct errors (runs[].routes[].errors)
  std::array<StageFigures, probes::kStageCount> stages{};

  const StageFigures& stage(fb_stage s) const { return stages[s]; }
};

struct RunSummary {
  std::string config;             // "P2", "lockfree", "P0/ends"
  std::optional<std::string> phase;
  std::vector<std::string> opts;
  int repetition = 0;
  std::string stamps = "all";
  bool supported = true;
  std::string unsupported_reason;
  std::string crashed;  // phases: how the child died ("signal 6 (SIGABRT)", "exit status 1", "timed out ...")
  // The rest is meaningful only for measured runs (supported, not crashed).
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // 5xx
  double throughput_rps = 0;
  std::optional<double> steal_pct;  // none: unknown
  double demotions = 0;
  std::optional<double> allocations_per_request;
  std::array<StageFigures, probes::kStageCount> stages{};
  double call_floor_ns = 0;         // 0: not measured (harness/measure/call_floor.h)
  std::vector<double> block_p50s;   // total p50 of each block with requests (noise budget)
  std::vector<ThreadRecord> threads;  // role and cpus_seen are what the statistics read
  LoadFigures load;                   // runs[].load
  std::optional<double> generator_limit_rps;
  std::optional<StageFigures> uncorrected_total;  // open loop and replay
  std::vector<RouteSummary> routes;   // runs[].routes[]

  const StageFigures& stage(fb_stage s) const { return stages[s]; }
  bool measured() const { return supported && crashed.empty(); }
};

// The document as a whole: what the tables' header lines and the isolation line say.
struct DocumentSummary {
  std::string scenario_name, scenario_file;
  std::string python_version, clock_source, cpu_model;
  double stamp_cost_ns = 0;
  unsigned cpus = 0;
  std::optional<double> steal_pct;  // none: unknown
  std::int64_t clients = 0, workers = 0, warmup = 0, repetitions = 0;
  std::uint64_t seed = 0;
  std::optional<Placement> placement;
  std::optional<ProcessRecord> process;
  bool separate_processes = false;  // every repetition its own process (`phases`)
};

// A run measured in this process.
RunSummary summarize_run(const RunRecord& run);
DocumentSummary summarize_document(const ResultsDocument& doc);

// A run object of a results document (runs[i]), as written by results_to_json. Throws
// nlohmann::json exceptions when a key the summary needs is missing: read documents through
// results_reader.h, which validates them first.
RunSummary run_summary_from_json(const nlohmann::json& run);
DocumentSummary document_summary_from_json(const nlohmann::json& doc);

}  // namespace fb::harness
