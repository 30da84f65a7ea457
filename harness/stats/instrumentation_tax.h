// What the stage points cost a request, per configuration: the total p50 with every stage point
// minus the total p50 of its twin stamped at the ends only (`run --stamps ends`, labelled
// "<config>/ends"), measured in the same invocation, interleaved, each in a fresh process. The
// results' `instrumentation_tax` array.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/results/summaries.h"
#include "harness/stats/aggregate.h"

namespace fb::harness {

// Suffix of the configurations measured with --stamps ends ("P0/ends").
inline constexpr const char* kEndsSuffix = "/ends";

struct InstrumentationTax {
  std::string config;
  std::size_t repetitions_all = 0, repetitions_ends = 0;
  double total_p50_all = 0, total_p50_ends = 0;  // medians
  Saving tax;  // all - ends: the bootstrap CI of the difference of medians (aggregate.h saving());
               // percent of the total with every point
};

// One entry per configuration measured both ways, in order of first appearance.
std::vector<InstrumentationTax> instrumentation_tax(const std::vector<RunSummary>& runs);

}  // namespace fb::harness
