// Renderings of a Comparison (comparison.h) for `fasterbench compare`: a terminal table,
// Markdown, and JSON. They only format what the Comparison holds.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/compare/comparison.h"

namespace fb::harness {

// The comparison as a JSON document ("kind": "fasterbench-comparison", its own
// comparison_schema_version): sources, metric, context differences, unmatched
// configurations, and per configuration and stage the values, medians, ratio with interval,
// Mann-Whitney U, p and method, and `significant` at `alpha`.
//
// Format history (bump kComparisonSchemaVersion when renaming or removing a key):
//   1 - first version.
inline constexpr int kComparisonSchemaVersion = 1;
nlohmann::json comparison_to_json(const Comparison& comparison, double alpha);

// Terminal table: one row per configuration and stage (medians, change, its 95 % interval,
// p, and '*' when p < alpha), then context warnings and unmatched configurations.
std::string render_comparison_text(const Comparison& comparison, double alpha);

// The same as a Markdown document (a heading, a table, warnings as a list).
std::string render_comparison_markdown(const Comparison& comparison, double alpha);

// "warning: ..." lines for context differences and unmatched configurations (also used by
// the gate, which prints them on stderr and in each of its outputs).
std::vector<std::string> comparison_warnings(const Comparison& comparison);

}  // namespace fb::harness
