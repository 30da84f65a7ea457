#include "harness/compare/gate_json.h"

#include "harness/compare/comparison_report.h"

namespace fb::harness {

using nlohmann::json;

json gate_to_json(const Comparison& comparison, const GateResult& result, const std::vector<std::string>& warnings) {
  json doc = comparison_to_json(comparison, result.settings.alpha);
  doc["kind"] = "fasterbench-gate";
  doc["gate_schema_version"] = kGateSchemaVersion;
  doc["overall"] = verdict_name(result.overall);
  doc["exit_status"] = exit_status(result.overall);
  doc["threshold"] = result.settings.threshold;
  doc["min_effect_ns"] = result.settings.min_effect_ns;
  doc["min_repetitions"] = result.min_repetitions;
  doc["warnings"] = warnings;
  // Each verdict points at the stage it judged (StageVerdict::data): put it on that stage's entry.
  for (std::size_t c = 0; c < comparison.configs.size(); ++c) {
    const std::vector<StageComparison>& stages = comparison.configs[c].stages;
    for (std::size_t s = 0; s < stages.size(); ++s) {
      for (const StageVerdict& v : result.stages) {
        if (v.data != &stages[s]) continue;
        json& stage = doc.at("configs").at(c).at("stages").at(s);
        stage["verdict"] = verdict_name(v.verdict);
        stage["limit"] = v.limit;
        stage["reason"] = v.reason;
        stage["repetitions_needed"] = v.repetitions_needed;
      }
    }
  }
  return doc;
}

}  // namespace fb::harness
