// `fasterbench system show|check|tune|reset`: what makes numbers noisy on this machine, and the
// settings that fix it, in the spirit of `pyperf system`. The checks are one table
// (system/system_checks.h); tune and reset are system/tuning.h; this file parses and prints.
//
// Exit status: show 0; check 1 when it finds a problem, else 0; tune and reset 1 when a write
// failed (no privileges), else 0; 2 for bad arguments or an unusable state file.
#pragma once

#include <cstdint>
#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct SystemOptions {
  std::string root = "/";  // testing aid: read and write a fake /proc + /sys tree instead
  std::string state;       // tune/reset state file ("" : system/tune_state.h's default)
  bool json = false;       // show/check: one JSON document instead of text
  std::int64_t sample_ms = 1000;    // show/check: how long /proc/stat is watched for steal and busy time
  bool dry_run = false;    // tune: say what would change, change nothing
  std::string action;      // the subcommand given: show, check, tune or reset
};

void describe_system_command(Command& root, SystemOptions& options);
int cmd_system(const SystemOptions& options);

}  // namespace fb::harness
