// The statistics over repetitions (harness/stats/) as the results document holds them:
// aggregates[], ablation[] and instrumentation_tax[]. Rendering only: every figure is computed
// in harness/stats/.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "harness/stats/ablation.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/instrumentation_tax.h"

namespace fb::harness {

nlohmann::json aggregates_to_json(const std::vector<ConfigurationAggregate>& aggregates);
nlohmann::json ablation_to_json(const std::vector<AblationEntry>& entries);
nlohmann::json instrumentation_tax_to_json(const std::vector<InstrumentationTax>& taxes);

}  // namespace fb::harness
