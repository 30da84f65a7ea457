// `fasterbench sweep`: the saturation sweep. Open-loop steps of increasing rate per phase, each a
// child `fasterbench run --rate R` in a fresh process (harness/commands/phases/child_runs.h),
// the phases interleaved at each rate; a phase stops climbing at its first saturated step
// (harness/stats/sweep_rule.h). Writes DIR/sweep.json, prints a table with the knee per phase and
// renders the latency-vs-throughput chart (python3 -m reports.sweep).
#pragma once

#include <string>

#include "harness/cli/command_line.h"
#include "harness/commands/run_options.h"

namespace fb::harness {

struct SweepOptions {
  RunOptions run;  // the measurement options every step's child `run` is given
  std::string phases = "P0,P4";  // the baseline and the whole plan
  std::string rates = "auto";
  std::string out;            // default: results/sweep-<scenario name>
  std::string report_python;  // default: found automatically
  bool no_report = false;
};

void describe_sweep_command(Command& root, SweepOptions& options);
// `command`: the parsed `sweep` command, whose measurement options go to every child.
int cmd_sweep(const SweepOptions& options, const Command& command);

}  // namespace fb::harness
