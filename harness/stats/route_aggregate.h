// Per-route figures of one configuration over its repetitions: the medians the per-route tables
// print (console/load.h), from the runs' typed route summaries.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "harness/results/summaries.h"

namespace fb::harness {

struct RouteStageMedians {
  double count = 0, p50_ns = 0, p99_ns = 0, mean_ns = 0;  // medians over the repetitions
};

struct RouteAggregate {
  std::size_t route = 0;
  std::string method, path;
  double requests = 0, errors = 0, client_errors = 0;  // medians
  double share = 0;                                    // of the configuration's requests (medians' ratio)
  std::array<RouteStageMedians, probes::kStageCount> stages{};
};

// `runs`: the supported runs of one configuration; routes matched by index. Empty when they have
// no routes (a document older than runs[].routes[]).
std::vector<RouteAggregate> aggregate_routes(const std::vector<const RunSummary*>& runs);

}  // namespace fb::harness
