// `fasterbench phases`: the main job. Measures the plan's cumulative phases (and optionally the
// ablation or the full factorial), repetitions interleaved, each measurement in a fresh
// process; merges everything into DIR/results.json and renders the report.
#pragma once

#include <cstdint>
#include <string>

#include "harness/cli/command_line.h"
#include "harness/commands/run_options.h"

namespace fb::harness {

struct PhasesOptions {
  RunOptions run;  // the measurement options every child `run` is given (run_options.h)
  std::string phases = "P0,P1,P2,P3,P4,P5";
  bool ablation = false;
  bool factorial = false;
  std::string out;            // default: results/<scenario name>
  std::string report_python;  // default: found automatically
  bool no_report = false;
  bool no_instrumentation_tax = false;  // skip the --stamps ends twin of each configuration
  std::int64_t timeout_s = 600;  // per child; 0: none
  std::string resume;            // DIR of an interrupted run to finish
};

// Default --timeout: generous beside a child's usual few seconds (the default 100,000 requests of
// hello take about one), so only a hung child reaches it.
inline constexpr std::int64_t kDefaultChildTimeoutSeconds = 600;

// Repetitions when neither the command line nor the scenario says: the fewest the report does not
// warn about (reports/noise.py MIN_REPETITIONS) and the gate can ever call a regression on
// (Mann-Whitney's smallest p at 5 vs 5 is 0.0079 < 0.01). At 3, direct-path phases whose
// processes land at ~400 or ~750 ns gave CIs narrower than that split.
inline constexpr std::int64_t kDefaultPhaseRepetitions = 5;

// Default --pin of `phases`, chosen by measurement (docs/measurement.md, "Placement"): on
// shared, each hand-off between threads is a context switch on one CPU, the framework's own
// cost, and hello P0 held 5.02-5.06 µs over 7 fresh processes (spread 0.6 %), 5.05-5.12 µs with
// a busy neighbour; on split, a hand-off waits for the hypervisor to wake the other, idle vCPU:
// the same build gave 24.7 µs (spread 2.6 %) on a quiet machine and 22-40 µs while other work
// ran.
inline constexpr const char* kDefaultPhasesPin = "shared";
inline constexpr const char* kDefaultPhasesPinWhy =
    ": every hand-off is then a context switch on one CPU, the framework's own cost; on split it waits for the "
    "hypervisor to wake an idle vCPU, which moved hello's P0 between 22 and 40 µs with the machine's other load";

// Adds the `phases` command and its options to `root`.
void describe_phases_command(Command& root, PhasesOptions& options);
// `command`: the parsed `phases` command, whose measurement options go to every child.
int cmd_phases(const PhasesOptions& options, const Command& command);

}  // namespace fb::harness
