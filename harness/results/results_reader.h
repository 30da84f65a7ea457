// Reading results documents back (compare, gate, baselines): parse, check the parts those
// commands rely on, and fail with one line that names the file and what is wrong, so later
// code can trust what it reads.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace fb::harness {

// Reads and validates `path`. Throws UsageError (exit 2) when the file is missing or
// unreadable, is not JSON, is not a fasterbench results document (no schema_version or
// runs[]), comes from a newer schema than kSchemaVersion, or when a supported run lacks
// config, repetition, stages.total, or count/p50_ns/p99_ns numbers in any stage it has.
// `label` names the file in messages (default: the path).
nlohmann::json read_results_file(const std::string& path, const std::string& label = "");

// The same for a document's text; `label` names it in messages. What the fuzz target calls.
nlohmann::json parse_results_text(std::string_view text, const std::string& label);

// The same checks on a document already in memory.
void validate_results(const nlohmann::json& doc, const std::string& label);

}  // namespace fb::harness
