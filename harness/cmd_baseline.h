// `fasterbench baseline save NAME RESULTS.json` and `fasterbench baseline list`: named
// baselines for `gate --baseline NAME` (the store is described in baselines/baseline_store.h).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fb::harness {

struct BaselineOptions {
  std::string name, results;
  std::string store;
  bool force = false;
  std::string format = "text";  // list: text | json
  CLI::App* save = nullptr;
  CLI::App* list = nullptr;
};

CLI::App* add_baseline_command(CLI::App& app, BaselineOptions& options);
int cmd_baseline(const BaselineOptions& options);

}  // namespace fb::harness
