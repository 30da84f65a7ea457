// Which configurations `fasterbench phases` measures, and in which order.
#pragma once

#include <string>
#include <vector>

#include "framework/options.h"

namespace fb::harness {

struct PlannedConfig {
  std::string label;  // "P2", "lockfree" (alone), "-lockfree" (left out), "direct+subinterp"
  OptimizationSet opts;
  bool stamps_ends = false;  // measured with `run --stamps ends` (label "<config>/ends")
};

struct PlanRequest {
  bool instrumentation_tax = false;  // + each runnable configuration's "<config>/ends" twin
  std::vector<std::string> phases = {"P0", "P1", "P2", "P3", "P4", "P5"};
  bool ablation = false;   // + each optimization alone and each left out of all five
  bool factorial = false;  // + all 32 subsets
};

// The configurations, each switch set once, in this order: the requested phases, then (with
// ablation) each alone and each left out, then (with factorial) the remaining subsets, then
// (with instrumentation_tax) the "<config>/ends" twin of each one that can run here.
// Throws UsageError for an unknown phase name.
std::vector<PlannedConfig> plan_configs(const PlanRequest& request);

// One measurement: configuration index and repetition. Repetitions are interleaved
// (P0 P1 .. P5, P0 P1 .. P5, ...) so slow drift on the machine hits every configuration alike.
struct PlannedRun {
  std::size_t config;
  int repetition;
};
std::vector<PlannedRun> interleave(std::size_t configs, int repetitions);

// The whole plan: the configurations, why each one cannot run here ("" when it can), and the
// measurements of those that can, interleaved.
struct PhasePlan {
  std::vector<PlannedConfig> configs;
  std::vector<std::string> unsupported;  // per configuration
  std::vector<PlannedRun> runs;
};
PhasePlan plan_phases(const PlanRequest& request, int repetitions);

}  // namespace fb::harness
