// `fasterbench baseline save NAME RESULTS.json` and `fasterbench baseline list`: named
// baselines for `gate --baseline NAME` (the store is described in baselines/baseline_store.h).
#pragma once

#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct BaselineOptions {
  std::string name, results;
  std::string store;
  bool force = false;
  std::string format = "text";  // list: text | json
  std::string action;  // the subcommand given: "save" or "list"
};

void describe_baseline_command(Command& root, BaselineOptions& options);
int cmd_baseline(const BaselineOptions& options);

}  // namespace fb::harness
