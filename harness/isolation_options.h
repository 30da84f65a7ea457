// Options that isolate a measurement from what the machine does to it: where the pipeline's
// threads run (harness/placement/placement.h) and process hygiene
// (harness/hygiene/process_hygiene.h). Shared by `run` (defaults: as the process was started)
// and `phases` (defaults: what makes its processes comparable). Every flag is documented where
// it is added.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "harness/hygiene/process_hygiene.h"
#include "harness/placement/placement.h"

namespace fb::harness {

struct IsolationOptions {
  std::string pin;        // --pin off|shared|split
  std::string cpus;       // --cpus LIST; "": every CPU this process may use
  std::string hash_seed;  // --hash-seed N|random; "": as PYTHONHASHSEED says (random when unset)
  std::string aslr;       // --aslr on|off
  std::string env;        // --env inherit|fixed
};

// The defaults `add_isolation_options` states and installs.
struct IsolationDefaults {
  std::string pin, hash_seed, aslr, env;
  std::string why;  // appended to --pin's help: why this default
};

void add_isolation_options(CLI::App& cmd, IsolationOptions& options, const IsolationDefaults& defaults);

// Throws UsageError naming the reason (a CPU this process may not use, split with one CPU, a
// bad hash seed).
Placement resolve_placement(const IsolationOptions& options);
HygieneRequest resolve_hygiene(const IsolationOptions& options);

// The same settings as `run` arguments, for a child process.
std::vector<std::string> isolation_arguments(const IsolationOptions& options);

}  // namespace fb::harness
