// The results document of `phases`, from its children's documents: their own records
// (context, scenario, config, routes, runs) passed through as they wrote them, the runs in
// configuration order (repetitions ascending) with each configuration that cannot run here as a
// row saying why, and every statistic computed once from typed summaries (harness/stats/).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/commands/phases/plan.h"
#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/instrumentation_tax.h"

namespace fb::harness {

struct PhaseResultsInput {
  const PhasePlan* plan = nullptr;
  std::vector<nlohmann::json> children;  // one results document per plan.runs entry, same order
  std::int64_t repetitions = 0;
  std::uint64_t seed = 1;
  std::string wait;  // --wait as given ("" : adaptive)
  bool ablation = false;             // write the ablation array
  bool instrumentation_tax = false;  // write the instrumentation_tax array
};

struct PhaseResults {
  nlohmann::json document;
  DocumentSummary summary;
  std::vector<ConfigurationAggregate> aggregates;
  std::vector<InstrumentationTax> instrumentation_tax;
};

// Needs at least one child document.
PhaseResults merge_phase_results(const PhaseResultsInput& input);

}  // namespace fb::harness
