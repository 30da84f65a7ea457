// `fasterbench gate --baseline A --candidate B`: the CI regression gate. Judges each
// configuration and stage (verdict.h: PASS, IMPROVEMENT, REGRESSION, INCONCLUSIVE) and exits
// 0 (pass or improvement), 1 (regression), 3 (inconclusive) or 2 (usage or input error).
#pragma once

#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct GateOptions {
  std::string baseline, candidate;  // results files or stored baseline names
  std::string threshold;            // smallest slowdown that counts, in percent; "": the metric's default
  std::string min_effect = "100";   // ... and at least this many ns
  std::string stages;               // comma-separated; empty: kDefaultGateStages
  std::string metric = "p50";
  double alpha = 0.01;
  std::string junit;                // JUnit XML file
  bool github = false;              // workflow annotations on stdout
  std::string format = "text";      // stdout: the verdict table (text) or the decision as data (json)
  std::string summary;              // Markdown file
  std::string store;                // baseline store (baseline_store.h)
};

// The stages gated when --stages is not given: every named stage except `other`, the closure
// residual (total minus the named stages), which is not a cost of its own and is small and
// noisy in relative terms.
inline constexpr const char* kDefaultGateStages = "route,dispatch,gil,marshal,handler,future,total";
// With --metric instructions `other` is gated too: in that mode it is counted directly (the
// instructions a thread runs between the named stages), not a residual of two noisy clocks.
inline constexpr const char* kDefaultInstructionGateStages = "route,dispatch,gil,marshal,handler,future,other,total";

// "5%", "5", "0.5 %" -> 0.05, 0.05, 0.005 (always percent). Throws UsageError outside (0, 100).
double parse_threshold_percent(const std::string& text);

// "100", "100ns", "0" -> 100, 100, 0. Throws UsageError for anything else or a negative value.
double parse_min_effect_ns(const std::string& text);

void describe_gate_command(Command& root, GateOptions& options);
int cmd_gate(const GateOptions& options);

}  // namespace fb::harness
