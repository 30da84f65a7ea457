// What each optimization saves alone (against P0) and when left out (against all of them), from
// the total p50 of each repetition stamped at every point. The results' `ablation` array.
#pragma once

#include <string>
#include <vector>

#include "harness/results/summaries.h"
#include "harness/stats/aggregate.h"

namespace fb::harness {

struct AblationEntry {
  std::string optimization;  // "direct", ...
  Saving alone;              // P0 -> this switch alone
  Saving left_out;           // all but this switch -> all
};

// One entry per optimization whose two comparisons were both measured and supported.
std::vector<AblationEntry> ablation(const std::vector<RunSummary>& runs);

}  // namespace fb::harness
