#include "harness/measure/instruction_windows.h"

#include <numeric>
#include <stdexcept>

#include "probes/instruction_count.h"

namespace fb::harness {

std::uint32_t every_request_stage_mask() {
  std::uint32_t mask = 0;
  for (const fb_stage s : kInstructionWindowStages) mask |= probes::counted_stage_bit(s);
  return mask;
}

InstructionCounts instruction_counts_from_windows(const std::vector<std::uint64_t>& window_instructions,
                                                  std::uint64_t requests) {
  if (window_instructions.size() != kInstructionWindowStages.size() + 1 || requests == 0) {
    throw std::invalid_argument("instruction windows: expected one count per window and requests > 0");
  }
  InstructionCounts c;
  c.requests_per_window = requests;
  c.window_instructions = window_instructions;
  const auto per_request = [requests](std::uint64_t n) { return static_cast<double>(n) / static_cast<double>(requests); };
  c.per_request = per_request(window_instructions[0]);
  std::uint64_t stage_sum = 0;
  for (std::size_t k = 0; k < kInstructionWindowStages.size(); ++k) {
    c.stage_per_request[kInstructionWindowStages[k]] = per_request(window_instructions[k + 1]);
    stage_sum += window_instructions[k + 1];
  }
  c.stage_per_request[FB_STAGE_TOTAL] = c.per_request;
  // Zero total: nothing was counted (not under Callgrind); the closure is then undefined.
  c.closure = window_instructions[0] == 0 ? 0.0 : static_cast<double>(stage_sum) / static_cast<double>(window_instructions[0]);
  return c;
}

LoadResult run_instruction_windows(App& app, const RequestMix& mix, const LoadSettings& settings,
                                   CallgrindWindows& windows, InstructionCounts& counts, LoadProgress* progress) {
  const std::size_t window_count = kInstructionWindowStages.size() + 1;
  std::vector<std::uint64_t> totals(window_count, 0);
  LoadResult first;
  for (std::size_t w = 0; w < window_count; ++w) {
    LoadSettings s = settings;
    if (w > 0) {  // the warm-up, the run's hooks and its noise blocks belong to window 0
      s.warmup = 0;
      s.on_measure_start = nullptr;
      s.on_measure_end = nullptr;
      s.blocks = 0;
    }
    const std::uint32_t mask = w == 0 ? every_request_stage_mask() : probes::counted_stage_bit(kInstructionWindowStages[w - 1]);
    // The barrier steps run on one client thread with every client between requests (stage
    // NONE): nothing of a request is in flight on the calling side when the window opens/closes.
    s.on_measure_start = [&windows, mask, inner = std::move(s.on_measure_start)] {
      if (inner) inner();
      windows.begin(mask);
    };
    s.on_measure_end = [&windows, &totals, w, inner = std::move(s.on_measure_end)] {
      totals[w] = windows.end();
      if (inner) inner();
    };
    LoadResult r = run_closed_loop(app, mix, s, w == 0 ? progress : nullptr);
    if (w == 0) first = std::move(r);
  }
  counts = instruction_counts_from_windows(totals, first.requests);
  counts.window_s = first.duration_s;
  return first;
}

}  // namespace fb::harness
