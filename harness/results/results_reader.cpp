#include "harness/results/results_reader.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness/cli/exit_codes.h"
#include "harness/results/results_json.h"

namespace fb::harness {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& label, const std::string& what) {
  throw UsageError(fmt::format("{}: {}", label, what));
}

}  // namespace

void validate_results(const json& doc, const std::string& label) {
  if (!doc.is_object() || !doc.contains("schema_version") || !doc.contains("runs")) {
    fail(label, "not a fasterbench results document (no schema_version or runs)");
  }
  if (!doc.at("schema_version").is_number_integer()) fail(label, "schema_version is not an integer");
  const int version = doc.at("schema_version").get<int>();
  if (version > kSchemaVersion) {
    fail(label, fmt::format("written by a newer fasterbench (schema_version {}; this one reads up to {})", version,
                            kSchemaVersion));
  }
  if (!doc.at("runs").is_array()) fail(label, "runs is not an array");
  if (doc.contains("context") && !doc.at("context").is_object()) fail(label, "context is not an object");
  std::size_t i = 0;
  for (const json& run : doc.at("runs")) {
    const std::string where = fmt::format("runs[{}]", i++);
    if (!run.is_object()) fail(label, where + " is not an object");
    if (!run.contains("config") || !run.at("config").is_string()) fail(label, where + " has no config name");
    if (run.contains("supported") && !run.at("supported").is_boolean()) fail(label, where + ": supported is not true or false");
    if (!run.value("supported", true)) continue;
    if (run.contains("crashed")) {  // phases: a repetition whose process died, no measurements
      if (!run.at("crashed").is_string()) fail(label, where + ": crashed is not a text");
      continue;
    }
    if (!run.contains("repetition") || !run.at("repetition").is_number_integer()) {
      fail(label, where + " (" + run.at("config").get<std::string>() + ") has no repetition number");
    }
    if (!run.contains("stages") || !run.at("stages").is_object()) fail(label, where + " has no stages");
    const json& stages = run.at("stages");
    if (!stages.contains("total")) fail(label, fmt::format("{} ({}) has no stage 'total'", where, run.at("config").get<std::string>()));
    // A run measured in instructions has counts instead of times (docs/instructions.md).
    const bool instructions = run.value("measure", "time") == "instructions";
    if (instructions && (!run.contains("instructions_per_request") || !run.at("instructions_per_request").is_number())) {
      fail(label, fmt::format("{} ({}): instructions_per_request is missing or not a number", where,
                              run.at("config").get<std::string>()));
    }
    static const std::vector<const char*> kTimeKeys = {"count", "p50_ns", "p99_ns"};
    static const std::vector<const char*> kInstructionKeys = {"count", "instructions_per_request"};
    for (const auto& [stage, values] : stages.items()) {
      for (const char* key : instructions ? kInstructionKeys : kTimeKeys) {
        if (!values.is_object() || !values.contains(key) || !values.at(key).is_number()) {
          fail(label, fmt::format("{} ({}): stages.{}.{} is missing or not a number", where,
                                  run.at("config").get<std::string>(), stage, key));
        }
      }
    }
  }
}

json read_results_file(const std::string& path, const std::string& label_in) {
  const std::string label = label_in.empty() ? path : label_in;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail(label, "no such file");
  if (std::filesystem::is_directory(path, ec)) fail(label, "is a directory, not a results file");
  std::ifstream in(path);
  if (!in) fail(label, "cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_results_text(text.str(), label);
}

json parse_results_text(std::string_view text, const std::string& label) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    fail(label, fmt::format("not valid JSON (at byte {})", e.byte));
  } catch (const json::exception& e) {  // valid syntax it cannot hold: a number too large (found by tests/fuzz)
    fail(label, fmt::format("cannot be read as JSON: {}", e.what()));
  }
  validate_results(doc, label);
  return doc;
}

}  // namespace fb::harness
