// `fasterbench run`: measure one configuration on a scenario, print the stage table, write
// the results JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "harness/isolation_options.h"
#include "harness/load_options.h"
#include "harness/pipeline_options.h"
#include "harness/probe_session.h"

namespace fb::harness {

struct RunOptions {
  LoadOptions load;
  std::string phase;  // "P0".."P4"
  std::string opts;   // "direct,lockfree"
  std::string wait;   // "spin", "yield", "park", "adaptive"; empty: adaptive
  std::string out;    // results JSON path; empty: none
  PipelineOptions pipeline;
  IsolationOptions isolation;
  std::string stamps = "all";  // --stamps all|ends
  bool explain_routes = false;  // print the routes' classification and exit
  std::string probes = "inproc";                     // --probes
  std::string probe_sample = "auto";                 // --probe-sample N|auto
  bool require_ebpf = false;                         // --require-ebpf
  bool probe_ab = false;                             // --probe-ab
  bool no_probe_stats = false;                       // --no-probe-stats
  std::string target;                                // --target http://HOST:PORT (cmd_run_target.h)
};

CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int cmd_run(const RunOptions& options);

}  // namespace fb::harness
