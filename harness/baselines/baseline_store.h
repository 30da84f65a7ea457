// Named baselines: results documents kept under a store directory so a CI job can gate
// against "main" instead of a path.
//
// Where the store is (first that applies): --store DIR; the environment variable
// FASTERBENCH_BASELINES; ".fasterbench/baselines" under the current directory. A baseline
// NAME is the file DIR/NAME.json: a copy of the results document with a "baseline" block
// added ({name, saved, source}); nothing else is kept, so a store can be cached or committed
// as plain files.
//
// Names: 1-100 characters of [A-Za-z0-9._-], starting with a letter or digit and not ending
// in ".json". Command-line arguments that contain '/' or end in ".json" are always paths;
// anything else is a baseline name (resolve_results).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fb::harness {

inline constexpr const char* kDefaultBaselineStore = ".fasterbench/baselines";
inline constexpr const char* kBaselineStoreEnv = "FASTERBENCH_BASELINES";

// The store directory: `cli_store` if set, else $FASTERBENCH_BASELINES if set, else the default.
std::string baseline_store_dir(const std::string& cli_store);

bool valid_baseline_name(const std::string& name);

struct BaselineEntry {
  std::string name, path;
  std::string saved;         // when `baseline save` stored it (UTC, ISO 8601)
  std::string measured;      // context.date of the results
  std::string scenario, git_revision, python;
  std::vector<std::string> configs;  // configurations with their repetition counts: "P0 x5"
  std::string error;         // set when the file could not be read; other fields may be empty
};

// Validates `results_path` (read_results_file) and writes it atomically as STORE/NAME.json,
// creating the store directory. Throws UsageError for a bad name, an invalid results file, or
// an existing baseline without `force`.
BaselineEntry save_baseline(const std::string& store, const std::string& name, const std::string& results_path, bool force);

// Every *.json in the store, sorted by name. A missing store is an empty list.
std::vector<BaselineEntry> list_baselines(const std::string& store);

// A results document named on the command line: a path (contains '/' or ends in ".json") or a
// stored baseline name. `label` says which, for messages and reports: the path, or
// "baseline 'main' (.fasterbench/baselines/main.json)". Throws UsageError when it does not
// exist or is not a valid results file.
struct ResolvedResults {
  nlohmann::json doc;
  std::string label;
  std::string path;
};
ResolvedResults resolve_results(const std::string& argument, const std::string& store);

}  // namespace fb::harness
