// `fasterbench run`: measure one configuration on a scenario, print the stage tables, write the
// results JSON.
#pragma once

#include "harness/cli/command_line.h"
#include "harness/commands/run_options.h"

namespace fb::harness {

// Adds the `run` command and its options to `root`.
void describe_run_command(Command& root, RunOptions& options);
int cmd_run(const RunOptions& options);

}  // namespace fb::harness
