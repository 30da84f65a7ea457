// `gate --metric instructions`: the regression rule for documents measured with
// `--measure instructions` (instruction counts under Callgrind, docs/instructions.md). Pure:
// documents in, verdicts out; renders nothing but its text table.
//
// Instruction counts repeat (the same build, the same command, two processes), so one
// repetition per side decides, provided the rule knows how far two runs of one build can differ:
// the *repeatability* r. The gate assumes, per configuration, the larger of
//   - the bound measured for the path the configuration's requests took (kRepeatabilityDirect when
//     no request went through `dispatch`, else kRepeatabilityExecutor; how they were measured is
//     in docs/instructions.md), and
//   - the spread (max - min) / mean of `total` over the repetitions of either side, when a side
//     has two or more,
// and says which. With B and C the baseline's and the candidate's mean instructions per request
// in a stage, T the baseline's total and t the threshold:
//   REGRESSION   C - B > t * B + r * T   (beyond the threshold by more than two runs of one build
//                                          can differ; for `total` that is C/B - 1 > t + r)
//   IMPROVEMENT  B - C > t * B + r * T
//   PASS         otherwise
// A stage's noise is charged at the scale of the whole request (r * T), because what varies
// between runs (a worker's tail straddling a window) is not proportional to the stage's size.
// Overall: REGRESSION if any stage regressed, else IMPROVEMENT if any improved, else PASS.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "harness/compare/verdict.h"

namespace fb::harness {

// Measured bounds (docs/instructions.md, "Repeatability"): two runs of the same build differ by
// at most this fraction in total instructions per request.
inline constexpr double kRepeatabilityDirect = 0.001;   // direct path (no dispatch)
inline constexpr double kRepeatabilityExecutor = 0.01;  // executor path
inline constexpr double kDefaultInstructionThreshold = 0.01;

struct InstructionStageVerdict {
  std::string config, stage;
  double baseline = 0, candidate = 0;  // mean instructions per request over the repetitions
  double change = 0;                   // candidate / baseline - 1 (0 when both are 0)
  double allowed = 0;                  // t * B + r * T: the increase (or decrease) that counts
  Verdict verdict = Verdict::pass;
};

struct InstructionConfigVerdict {
  std::string config;
  std::size_t baseline_repetitions = 0, candidate_repetitions = 0;
  double repeatability = 0;         // r assumed
  std::string repeatability_source; // why that r
  std::vector<InstructionStageVerdict> stages;
};

struct InstructionGateResult {
  double threshold = kDefaultInstructionThreshold;
  std::vector<InstructionConfigVerdict> configs;
  Verdict overall = Verdict::pass;
  std::vector<std::string> warnings;  // configurations on one side only
};

// `stages` are the stage names to judge (in that order). Throws UsageError naming the file when
// a document was not measured in instructions, or when no configuration is on both sides.
InstructionGateResult judge_instructions(const nlohmann::json& baseline, const std::string& baseline_label,
                                         const nlohmann::json& candidate, const std::string& candidate_label,
                                         const std::vector<std::string>& stages, double threshold);

std::string render_instruction_gate_text(const InstructionGateResult& result);

}  // namespace fb::harness
