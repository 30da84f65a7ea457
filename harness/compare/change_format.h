// How compare and gate spell a change: ratios as signed percentages, intervals, p-values.
// Shared by the verdict reasons and every renderer so they all say the same thing.
#pragma once

#include <string>

#include "harness/stats/ratio_ci.h"

namespace fb::harness {

// 1.312 -> "+31.2 %", 0.9 -> "-10.0 %", infinity -> "+inf %".
std::string format_change(double ratio);
// "[+28.0, +35.1] %".
std::string format_change_interval(const RatioEstimate& r);
// 0.00794 -> "0.0079", below 1e-4 -> "<0.0001".
std::string format_p(double p);
// "p = 0.0079", "p < 0.0001".
std::string format_p_clause(double p);

struct StageComparison;

// The cells the compare and gate tables print for one stage; "-" where the stage was not
// exercised on either side.
struct StageCells {
  std::string n = "-";  // repetitions "baseline/candidate"
  std::string baseline = "-", candidate = "-", change = "-", interval = "-", p = "-";
};
StageCells stage_cells(const StageComparison& s);

}  // namespace fb::harness
