// The results document of `phases`, from its children's documents: their own records
// (context, scenario, config, routes, runs) passed through as they wrote them, the runs in
// configuration order (repetitions ascending) with each configuration that cannot run here and
// each repetition whose process crashed as a row saying why, and every statistic computed once
// from typed summaries (harness/stats/).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "harness/commands/phases/child_runs.h"
#include "harness/commands/phases/plan.h"
#include "harness/results/results_model.h"
#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/instrumentation_tax.h"

namespace fb::harness {

struct PhaseResultsInput {
  const PhasePlan* plan = nullptr;
  std::vector<ChildResult> children;  // one per plan.runs entry, same order
  // The document's context, scenario, config and routes when no child was measured (every one
  // crashed, or phases was interrupted before the first finished); else the first measured
  // child's are used.
  nlohmann::json fallback_document;
  std::int64_t repetitions = 0;
  std::uint64_t seed = 1;
  std::string wait;  // --wait as given ("" : adaptive)
  bool ablation = false;             // write the ablation array
  bool instrumentation_tax = false;  // write the instrumentation_tax array
  std::optional<double> max_error_rate;  // marks the configurations over it (config.max_error_rate)
};

struct PhaseResults {
  nlohmann::json document;
  DocumentSummary summary;
  std::vector<ConfigurationAggregate> aggregates;
  std::vector<InstrumentationTax> instrumentation_tax;
  std::size_t measured = 0, crashed = 0, not_run = 0;  // planned measurements by what became of them
  // --measure instructions: the runs' counts (they have no times, so no summaries or aggregates).
  std::vector<RunRecord> instruction_runs;
  MeasureRecord measure;
};

// "complete" is true when every planned measurement ran (measured or crashed).
PhaseResults merge_phase_results(const PhaseResultsInput& input);

}  // namespace fb::harness
