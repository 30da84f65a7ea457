// The fasterbench command line: parses arguments and runs one sub-command.
#pragma once

namespace fb::harness {

// Returns the process exit status (see exit_codes.h).
int run_cli(int argc, char** argv);

}  // namespace fb::harness
