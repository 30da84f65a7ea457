// `fasterbench compare A B`: per configuration and stage, medians over repetitions, their
// ratio with a bootstrap interval, and a Mann-Whitney test; as a terminal table, Markdown or
// JSON. Describes the difference; judging it is `fasterbench gate`.
#pragma once

#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct CompareOptions {
  std::string baseline, candidate;  // results files or stored baseline names
  std::string format = "text";      // text | md | json
  std::string metric = "p50";       // p50 | p99
  std::string stages;               // comma-separated; empty: all
  double alpha = 0.01;              // marks p < alpha with '*'
  std::string store;                // baseline store (baseline_store.h)
  std::string out;                  // write here (atomically) instead of stdout
};

void describe_compare_command(Command& root, CompareOptions& options);
int cmd_compare(const CompareOptions& options);

}  // namespace fb::harness
