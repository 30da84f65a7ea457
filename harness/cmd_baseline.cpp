#include "harness/cmd_baseline.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "harness/baselines/baseline_store.h"
#include "harness/exit_codes.h"

namespace fb::harness {

CLI::App* add_baseline_command(CLI::App& app, BaselineOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "baseline", "Named baselines for `gate --baseline NAME`, kept in a store directory (--store DIR, else "
                  "$FASTERBENCH_BASELINES, else .fasterbench/baselines)");
  cmd->require_subcommand(1);
  o.save = cmd->add_subcommand("save", "Store a results JSON as baseline NAME (STORE/NAME.json, written atomically)");
  o.save->add_option("name", o.name, "Baseline name: letters, digits, . _ - (e.g. main, v0.3)")->required();
  o.save->add_option("results", o.results, "Results JSON written by `fasterbench run` or `fasterbench phases`")->required();
  o.save->add_flag("--force", o.force, "Replace an existing baseline of that name");
  o.save->add_option("--store", o.store, "Store directory (default: $FASTERBENCH_BASELINES or .fasterbench/baselines)");
  o.list = cmd->add_subcommand("list", "List stored baselines: name, dates, scenario, git revision, Python, configurations");
  o.list->add_option("--store", o.store, "Store directory (default: $FASTERBENCH_BASELINES or .fasterbench/baselines)");
  o.list->add_option("--format", o.format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  return cmd;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

int list(const BaselineOptions& o) {
  const std::string store = baseline_store_dir(o.store);
  const std::vector<BaselineEntry> entries = list_baselines(store);
  if (o.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const BaselineEntry& e : entries) {
      nlohmann::json j = {{"name", e.name},         {"path", e.path},     {"saved", e.saved},   {"measured", e.measured},
                          {"scenario", e.scenario}, {"git_revision", e.git_revision}, {"python", e.python},
                          {"configs", e.configs}};
      if (!e.error.empty()) j["error"] = e.error;
      out.push_back(j);
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }
  if (entries.empty()) {
    fmt::print("no baselines in {}\n", store);
    return kExitOk;
  }
  fmt::print("baselines in {}\n", store);
  fmt::print("{:<16} {:<21} {:<21} {:<10} {:<14} {:<8} {}\n", "name", "saved", "measured", "scenario", "git revision",
             "python", "configurations (repetitions)");
  for (const BaselineEntry& e : entries) {
    if (!e.error.empty()) {
      fmt::print("{:<16} unreadable: {}\n", e.name, e.error);
      continue;
    }
    fmt::print("{:<16} {:<21} {:<21} {:<10} {:<14} {:<8} {}\n", e.name, e.saved.empty() ? "-" : e.saved, e.measured,
               e.scenario, e.git_revision, e.python, join(e.configs));
  }
  return kExitOk;
}

}  // namespace

int cmd_baseline(const BaselineOptions& o) {
  if (o.list != nullptr && *o.list) return list(o);
  const std::string store = baseline_store_dir(o.store);
  const BaselineEntry e = save_baseline(store, o.name, o.results, o.force);
  fmt::print("baseline '{}' saved: {} (scenario {}, rev {}, Python {}; {})\n", e.name, e.path, e.scenario, e.git_revision,
             e.python, join(e.configs));
  return kExitOk;
}

}  // namespace fb::harness
