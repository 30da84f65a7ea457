// Per configuration, the statistics over its repetitions: what the results' aggregates[] hold
// and what every console table shows. Computed once, from typed run summaries
// (harness/results/summaries.h); the JSON writer and the consoles only render them.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/summaries.h"
#include "harness/stats/aggregate.h"
#include "harness/stats/bimodality.h"
#include "harness/stats/error_rates.h"
#include "harness/stats/noise_budget.h"
#include "harness/stats/route_aggregate.h"

namespace fb::harness {

struct StageAggregate {
  Aggregate count, p50, p99, mean;  // over repetitions (the results' aggregates[].stages.<stage>)
  double p90_median = 0, p999_median = 0;
  std::optional<double> allocations_median;  // per request; none when a repetition did not count
};

// Repetitions that form two populations (bimodality.h), by repetition number, with where each
// repetition's hand-offs ran (placement.h handoff_placement: "same CPU" -> how many).
struct BimodalRepetitions {
  Bimodality split;
  std::vector<int> low, high;
  std::map<std::string, int> low_placements, high_placements;
};

struct ConfigurationAggregate {
  std::string config;
  std::optional<std::string> phase;
  std::vector<std::string> opts;
  bool supported = true;
  std::string unsupported_reason;
  std::size_t repetitions = 0;  // measured ones (crashed repetitions are not in any figure)
  // phases: repetitions whose process crashed or timed out, and how the first one did.
  std::size_t crashed_repetitions = 0;
  std::string crashed;
  // The rest is meaningful only for measured configurations (measured()).
  Aggregate throughput, errors;
  ErrorSummary error_summary;  // errors summed over repetitions, per route with their messages
  std::array<StageAggregate, probes::kStageCount> stages{};
  NoiseBudget noise;
  std::optional<BimodalRepetitions> bimodal;
  double demotions = 0;     // summed over repetitions
  std::optional<double> steal_median;  // %, over the repetitions that know it; none: unknown
  std::uint64_t requests = 0;  // per repetition (the first one's)
  std::optional<double> allocations_median;
  // The attach + call + detach floor (harness/measure/call_floor.h), over the repetitions that
  // measured one: medians of total p50, of the floor, and of total p50 / floor per repetition.
  struct CallFloor {
    double total_p50 = 0, floor = 0, ratio = 0;
  };
  std::optional<CallFloor> call_floor;
  // Per scenario route, medians over the repetitions (aggregates[].routes); empty with one route,
  // whose figures are the configuration's own.
  std::vector<RouteAggregate> routes;
  // Open loop and replay (runs[].load): medians of the rates, and how many repetitions saturated.
  struct Load {
    std::string mode;
    double offered_rps = 0, achieved_rps = 0;
    std::size_t saturated_repetitions = 0;
  };
  std::optional<Load> load;

  const StageAggregate& stage(fb_stage s) const { return stages[s]; }
  bool measured() const { return supported && repetitions > 0; }
};

// One aggregate per configuration, in order of first appearance in `runs`.
std::vector<ConfigurationAggregate> aggregate_configurations(const std::vector<RunSummary>& runs);

// Sets error_summary.over_limit on each configuration whose error rate exceeds `max_error_rate`
// (none: no limit, nothing is marked). Returns how many were marked.
std::size_t mark_error_rate_limit(std::vector<ConfigurationAggregate>& aggregates, std::optional<double> max_error_rate);

}  // namespace fb::harness
