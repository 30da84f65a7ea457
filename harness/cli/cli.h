// The fasterbench command line: every command's description (harness/commands/), parsed with
// CLI11 here and only here, then dispatched.
#pragma once

#include <optional>

#include "harness/cli/command_line.h"

namespace fb::harness {

// Parses, runs the command, finalizes the embedded Python. Returns the exit status.
int run_cli(int argc, char** argv);

// Parses `argv` against `root`, filling every option's target and `given` flag and every
// command's `chosen` flag (and `selected`). Returns nullopt to go on, or the exit status to
// return now: 0 after --help or --version, 2 after a parse error (printed to stderr).
std::optional<int> parse_command_line(Command& root, int argc, const char* const* argv);

}  // namespace fb::harness
