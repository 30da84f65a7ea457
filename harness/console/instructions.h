// The console's table of a run measured in instructions (`--measure instructions`): per
// configuration and repetition, instructions per request in total and per stage, the closure,
// and what the mode cost. It reports no times, and says so.
#pragma once

#include <cstdio>
#include <vector>

#include "harness/results/results_model.h"

namespace fb::harness {

void print_instruction_tables(const std::vector<RunRecord>& runs, const MeasureRecord& measure, std::FILE* out);

}  // namespace fb::harness
