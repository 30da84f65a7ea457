// sweep.json: what `fasterbench sweep` measured, step by step, with the knee of each phase
// (schema: docs/load.md, "Sweep"). Renders typed records only; the rules live in
// harness/stats/sweep_rule.h.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "harness/stats/sweep_rule.h"

namespace fb::harness {

inline constexpr int kSweepSchemaVersion = 1;

struct SweepDocument {
  std::string scenario_name, scenario_file;
  nlohmann::json context;            // the first child's results context (host, build, Python)
  std::string rates_mode;            // "list" | "auto"
  std::vector<double> rates;         // the rates a phase could climb, ascending
  std::optional<double> generator_limit_rps;  // measured at the start (auto caps below it)
  std::string arrival;               // "poisson" | "constant"
  std::string load_plan;             // the first child's schedule in words
  std::vector<SweepPhase> phases;
};

nlohmann::json sweep_to_json(const SweepDocument& doc);

}  // namespace fb::harness
