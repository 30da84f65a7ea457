#include "harness/commands/baseline.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "harness/baselines/baseline_store.h"
#include "harness/cli/exit_codes.h"
#include "harness/text/join.h"

namespace fb::harness {

void describe_baseline_command(Command& root, BaselineOptions& o) {
  Command& cmd = root.add_subcommand(
      "baseline", "Named baselines for `gate --baseline NAME`, kept in a store directory (--store DIR, else "
                  "$FASTERBENCH_BASELINES, else .fasterbench/baselines)");
  cmd.requires_subcommand = true;
  cmd.selected = &o.action;
  const std::string store_help = "Store directory (default: $FASTERBENCH_BASELINES or .fasterbench/baselines)";
  Command& save = cmd.add_subcommand("save", "Store a results JSON as baseline NAME (STORE/NAME.json, written atomically)");
  save.add({.name = "name", .target = &o.name, .help = "Baseline name: letters, digits, . _ - (e.g. main, v0.3)", .required = true});
  save.add({.name = "results", .target = &o.results, .help = "Results JSON written by `fasterbench run` or `fasterbench phases`",
            .required = true});
  save.add({.name = "--force", .target = &o.force, .help = "Replace an existing baseline of that name"});
  save.add({.name = "--store", .target = &o.store, .help = store_help});
  Command& list = cmd.add_subcommand("list", "List stored baselines: name, dates, scenario, git revision, Python, configurations");
  list.add({.name = "--store", .target = &o.store, .help = store_help});
  list.add({.name = "--format", .target = &o.format, .help = "text (default) or json", .choices = {"text", "json"}});
}

namespace {

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
  if (o.action == "list") return list(o);
  const std::string store = baseline_store_dir(o.store);
  const BaselineEntry e = save_baseline(store, o.name, o.results, o.force);
  fmt::print("baseline '{}' saved: {} (scenario {}, rev {}, Python {}; {})\n", e.name, e.path, e.scenario, e.git_revision,
             e.python, join(e.configs));
  return kExitOk;
}

}  // namespace fb::harness
