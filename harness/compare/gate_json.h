// The gate's decision as a JSON document, for `fasterbench gate --format json` and the Python
// API (fasterbench.gate). It only renders what the GateResult and its Comparison hold.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/compare/comparison.h"
#include "harness/compare/verdict.h"

namespace fb::harness {

// The comparison document (comparison_report.h, comparison_to_json) with "kind":
// "fasterbench-gate", its own gate_schema_version, and the decision: `overall`, `exit_status`,
// the settings (`threshold`, `min_effect_ns`; `alpha` and `metric` are the comparison's),
// `min_repetitions`, `warnings` (the comparison's and the gate's, as printed on stderr), and on
// every configs[].stages[] entry `verdict`, `limit` (the stage's relative threshold), `reason`
// and `repetitions_needed` (per side; 0 unless INCONCLUSIVE).
//
// Format history (bump kGateSchemaVersion when renaming or removing a key):
//   1 - first version.
inline constexpr int kGateSchemaVersion = 1;
nlohmann::json gate_to_json(const Comparison& comparison, const GateResult& result,
                            const std::vector<std::string>& warnings);

}  // namespace fb::harness
