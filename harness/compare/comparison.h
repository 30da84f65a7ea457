// The difference between two results documents, as data: per configuration (matched by
// runs[].config) and stage, the per-repetition values of one metric on each side, their
// medians, the ratio candidate / baseline with a bootstrap interval, and a Mann-Whitney test
// over repetitions. `compare` renders it (comparison_report.h); `gate` judges it (verdict.h).
// Nothing here prints.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/stats/rank_test.h"
#include "harness/stats/ratio_ci.h"

namespace fb::harness {

// The per-run value compared: runs[].stages.<stage>.<metric>_ns.
enum class Metric { p50, p99 };
const char* metric_name(Metric metric);      // "p50"
const char* metric_json_key(Metric metric);  // "p50_ns"

struct CompareSettings {
  Metric metric = Metric::p50;
  std::vector<std::string> stages;  // in this order; empty: every stage of kStageNames
};

// One side of a results pair: where it came from and the facts that make two runs comparable.
struct SourceInfo {
  std::string label;         // "B.json", or "baseline 'main' (.fasterbench/baselines/main.json)"
  std::string scenario;      // scenario.name
  std::string git_revision;
  std::string date;
  std::string python;        // context.python.version
};

struct SideSummary {
  std::vector<double> values;  // one per repetition, in repetition order
  double median = 0;
  double min = 0, max = 0;
};

struct StageComparison {
  std::string stage;
  // False when no run on either side went through the stage (count 0 everywhere, e.g.
  // dispatch on the direct path): nothing to compare, the remaining fields are defaults.
  bool exercised = true;
  SideSummary baseline, candidate;
  RatioEstimate ratio;  // candidate / baseline
  MannWhitney test;     // x = candidate, y = baseline: u_x large when the candidate is slower
};

struct ConfigComparison {
  std::string config;
  std::vector<StageComparison> stages;
};

// A fact of `context` (or the measurement `config`) that differs between the two sides.
struct ContextDifference {
  std::string key;  // "cpu_model", "python.version", "options.FASTERBENCH_OPT_DIRECT", "config.requests"
  std::string baseline, candidate;
};

struct Comparison {
  Metric metric = Metric::p50;
  SourceInfo baseline, candidate;
  std::vector<ConfigComparison> configs;  // configurations present (and supported) on both sides, baseline order
  std::vector<std::string> only_in_baseline, only_in_candidate;  // unmatched (or unsupported on one side)
  std::vector<ContextDifference> context_differences;
};

// Throws UsageError (exit 2) when a stage name is unknown or when no configuration is on
// both sides. Both documents must have passed validate_results().
Comparison compare_results(const nlohmann::json& baseline, const SourceInfo& baseline_source,
                           const nlohmann::json& candidate, const SourceInfo& candidate_source,
                           const CompareSettings& settings);

// The SourceInfo fields read from a document, with `label` set.
SourceInfo source_info(const nlohmann::json& doc, const std::string& label);

// Context facts that make measurements incomparable when they differ: cpu_model,
// python.version, build_type, compiler, options.*, and the measurement config (requests,
// warmup, clients, workers, future_spin_ns, wait, inject_delay). Host names and git revisions are expected to
// differ and are not listed.
std::vector<ContextDifference> context_differences(const nlohmann::json& baseline, const nlohmann::json& candidate);

// Parses a comma-separated stage list ("total,dispatch"); throws UsageError naming an unknown
// stage and the accepted ones. Empty -> every stage.
std::vector<std::string> parse_stage_list(const std::string& list);

}  // namespace fb::harness
