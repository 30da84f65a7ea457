// Instructions per request and per stage (`run --measure instructions`), by windows.
//
// One repetition runs the measured requests once per window, each time with the same seed, so
// every window sends the same requests in the same order (with one client exactly; with more,
// each client's sequence is the same and only their interleaving differs). Window 0 counts
// every request stage; window k counts only stage k (route, dispatch, gil, marshal, handler,
// future, other), each thread collecting while it works in that stage (probes/instruction_count.h).
// So a stage's instructions per request are exact (the instructions the threads executed while
// tagged with that stage, divided by the requests), cost one client request per stage change,
// and the stages add up to the total: `closure` (sum of the stage windows / window 0) is 1 up to
// the few instructions that straddle a window's edges.
//
// What is not counted: waits (a worker's queue pop, a caller's future wait), the load
// generator, start-up and warm-up (instrumentation starts after it).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "framework/app.h"
#include "harness/load/pipeline_load.h"
#include "harness/measure/callgrind.h"
#include "harness/results/results_model.h"

namespace fb::harness {

// The stages with a window of their own, in window order after window 0 (every request stage).
inline constexpr std::array<fb_stage, 7> kInstructionWindowStages = {
    FB_STAGE_ROUTE, FB_STAGE_DISPATCH, FB_STAGE_GIL, FB_STAGE_MARSHAL, FB_STAGE_HANDLER, FB_STAGE_FUTURE, FB_STAGE_OTHER};

// Bit mask of every stage in kInstructionWindowStages (window 0).
std::uint32_t every_request_stage_mask();

// The counts of each window (window 0 first) turned into instructions per request.
// `requests` is the number of requests each window sent (> 0).
InstructionCounts instruction_counts_from_windows(const std::vector<std::uint64_t>& window_instructions,
                                                  std::uint64_t requests);

// Runs the windows of one repetition with `settings` (warm-up in window 0 only; its hooks and
// progress in window 0 only) and returns window 0's LoadResult (requests, routes, errors, which
// stages each request went through); `counts` gets the instructions.
LoadResult run_instruction_windows(App& app, const RequestMix& mix, const LoadSettings& settings,
                                   CallgrindWindows& windows, InstructionCounts& counts, LoadProgress* progress);

}  // namespace fb::harness
