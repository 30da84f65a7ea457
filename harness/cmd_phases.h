// `fasterbench phases`: the main job. Measures the plan's cumulative phases (and optionally the
// ablation or the full factorial), repetitions interleaved, each measurement in a fresh
// process; merges everything into DIR/results.json and renders the report.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "harness/load_options.h"
#include "harness/pipeline_options.h"

namespace fb::harness {

struct PhasesOptions {
  LoadOptions load;
  PipelineOptions pipeline;  // passed on to every `run`
  std::string phases = "P0,P1,P2,P3,P4";
  bool ablation = false;
  bool factorial = false;
  std::string out;            // default: results/<scenario name>
  std::string report_python;  // default: found automatically
  bool no_report = false;
  std::string wait;           // --wait for the configurations with lockfree; empty: adaptive
};

// Repetitions when neither the command line nor the scenario says: the fewest the report does not
// warn about (reports/noise.py MIN_REPETITIONS) and the gate can ever call a regression on
// (Mann-Whitney's smallest p at 5 vs 5 is 0.0079 < 0.01). At 3, direct-path phases whose
// processes land at ~400 or ~750 ns gave CIs narrower than that split.
inline constexpr std::int64_t kDefaultPhaseRepetitions = 5;

CLI::App* add_phases_command(CLI::App& app, PhasesOptions& options);
int cmd_phases(const PhasesOptions& options);

}  // namespace fb::harness
