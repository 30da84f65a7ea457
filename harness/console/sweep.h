// The console of `fasterbench sweep`: one line per step as it finishes, and at the end a table
// per phase (rate, achieved, p50, p99, saturated, Little's law) with its knee. Rendered from the
// typed records (harness/stats/sweep_rule.h).
#pragma once

#include <cstdio>
#include <vector>

#include "harness/stats/sweep_rule.h"

namespace fb::harness {

// "P1 @ 4000 req/s: achieved 3998, p50 1.2 µs, p99 4.0 µs, saturated: no" (stderr, as it goes).
void print_sweep_step(const SweepPhase& phase, const SweepStep& step, std::FILE* out);

void print_sweep_table(const std::vector<SweepPhase>& phases, std::FILE* out);

}  // namespace fb::harness
