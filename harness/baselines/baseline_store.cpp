#include "harness/baselines/baseline_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "harness/cli/exit_codes.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_reader.h"
#include "harness/host/sysinfo.h"

namespace fb::harness {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string text_at(const json& doc, std::initializer_list<const char*> path) {
  const json* node = &doc;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return "";
    node = &node->at(key);
  }
  return node->is_string() ? node->get<std::string>() : node->is_null() ? "" : node->dump();
}

std::vector<std::string> config_counts(const json& doc) {
  std::vector<std::string> order;
  std::map<std::string, int> reps;
  for (const json& run : doc.at("runs")) {
    const std::string config = run.at("config").get<std::string>();
    if (!reps.contains(config)) order.push_back(config);
    if (run.value("supported", true) && !run.contains("crashed")) ++reps[config];
    else reps.try_emplace(config, 0);
  }
  std::vector<std::string> out;
  for (const std::string& c : order) out.push_back(reps[c] == 0 ? c + " (unsupported)" : fmt::format("{} x{}", c, reps[c]));
  return out;
}

BaselineEntry entry_of(const json& doc, const std::string& name, const std::string& path) {
  BaselineEntry e;
  e.name = name;
  e.path = path;
  e.saved = text_at(doc, {"baseline", "saved"});
  e.measured = text_at(doc, {"context", "date"});
  e.scenario = text_at(doc, {"scenario", "name"});
  e.git_revision = text_at(doc, {"context", "git_revision"});
  e.python = text_at(doc, {"context", "python", "version"});
  e.configs = config_counts(doc);
  return e;
}

}  // namespace

std::string baseline_store_dir(const std::string& cli_store) {
  if (!cli_store.empty()) return cli_store;
  if (const char* env = std::getenv(kBaselineStoreEnv); env != nullptr && *env != '\0') return env;
  return kDefaultBaselineStore;
}

bool valid_baseline_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  if (ends_with(name, ".json")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

BaselineEntry save_baseline(const std::string& store, const std::string& name, const std::string& results_path, bool force) {
  if (!valid_baseline_name(name)) {
    throw UsageError(fmt::format("'{}' is not a baseline name (1-100 of A-Z a-z 0-9 . _ -, starting with a letter or "
                                 "digit, not ending in .json)",
                                 name));
  }
  json doc = read_results_file(results_path);
  const fs::path path = fs::path(store) / (name + ".json");
  std::error_code ec;
  if (fs::exists(path, ec) && !force) {
    throw UsageError(fmt::format("baseline '{}' already exists ({}); use --force to replace it", name, path.string()));
  }
  fs::create_directories(store, ec);
  if (ec || !fs::is_directory(store)) throw UsageError(fmt::format("--store {}: cannot create the directory: {}", store, ec.message()));
  doc["baseline"] = {{"name", name}, {"saved", utc_now_iso8601()}, {"source", fs::absolute(results_path).string()}};
  write_file_atomically(path.string(), doc.dump(2) + "\n");
  return entry_of(doc, name, path.string());
}

std::vector<BaselineEntry> list_baselines(const std::string& store) {
  std::vector<BaselineEntry> out;
  std::error_code ec;
  if (!fs::is_directory(store, ec)) return out;
  for (const fs::directory_entry& f : fs::directory_iterator(store, ec)) {
    const std::string file = f.path().filename().string();
    if (!f.is_regular_file() || !ends_with(file, ".json") || file.front() == '.') continue;
    const std::string name = file.substr(0, file.size() - 5);
    try {
      out.push_back(entry_of(read_results_file(f.path().string()), name, f.path().string()));
    } catch (const UsageError& e) {
      BaselineEntry bad;
      bad.name = name;
      bad.path = f.path().string();
      bad.error = e.what();
      out.push_back(bad);
    }
  }
  std::sort(out.begin(), out.end(), [](const BaselineEntry& a, const BaselineEntry& b) { return a.name < b.name; });
  return out;
}

ResolvedResults resolve_results(const std::string& argument, const std::string& store) {
  ResolvedResults r;
  const bool is_path = argument.find('/') != std::string::npos || ends_with(argument, ".json");
  if (is_path) {
    r.path = argument;
    r.label = argument;
  } else {
    if (!valid_baseline_name(argument)) {
      throw UsageError(fmt::format("'{}' is neither a results file (give a path containing '/' or ending in .json) nor a "
                                   "baseline name",
                                   argument));
    }
    r.path = (fs::path(store) / (argument + ".json")).string();
    r.label = fmt::format("baseline '{}' ({})", argument, r.path);
    std::error_code ec;
    if (!fs::exists(r.path, ec)) {
      std::string known;
      for (const BaselineEntry& e : list_baselines(store)) known += (known.empty() ? "" : ", ") + e.name;
      throw UsageError(fmt::format("no baseline named '{}' in {} (stored: {}); see `fasterbench baseline list`", argument,
                                   store, known.empty() ? "none" : known));
    }
  }
  r.doc = read_results_file(r.path, r.label);
  return r;
}

}  // namespace fb::harness
