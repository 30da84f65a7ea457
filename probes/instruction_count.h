// Which of a thread's instructions Callgrind counts (`run --measure instructions`).
//
// What it is: the pipeline's side of the deterministic cost mode. Under Callgrind, event
// collection is a per-thread switch (CALLGRIND_TOGGLE_COLLECT flips the calling thread's). Each
// thread here keeps collection on exactly while it works in one of the *counted* stages, so a
// window of requests run with one set of counted stages yields the instructions those stages
// executed, summed over every thread (harness/measure/instruction_windows.h runs the windows).
//
// How: the stage points already tell each thread which stage it is in (framework/stage.h calls
// count_instructions_as() beside the allocation counter's tag). A thread also says when it
// starts and stops waiting for another thread (a worker's queue pop, a caller's future wait):
// while it waits nothing is counted, because spin loops, wake-up races and the scheduler decide
// how many instructions a wait takes, not the code under test. A thread collects when
//   not waiting  AND  in a request stage  AND  that stage is in g_counted_stages.
// It toggles only when that changes, at a stage change or at a wait's edge.
//
// Cost when off (every normal run): one load of a constant-after-start bool and a branch the
// predictor always gets right, per stage point and per wait edge.
//
// SHARP EDGES: g_counted_stages is read by each thread at its next stage change, not at once:
// the harness changes it only between windows, with no request in flight; a worker finishing
// the tail of the previous window's last request may still count it under the old set (a few
// hundred instructions per window, measured as part of the repeatability). A path that waits
// without marking its wait (ASYNC routes' event-loop threads between requests) counts the wait
// into the stage it is tagged with: instructions mode documents which paths are exact.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "probes/stage_ids.h"

namespace fb::probes {

// Set once, before any pipeline thread starts (instructions mode under Callgrind); read-only
// afterwards, so a plain bool: thread creation orders the write before every read.
inline constinit bool g_instruction_count_on = false;

// Bit s set: instructions in stage s are counted. Written by the harness between windows
// (relaxed: no data travels with it; the windows are separated by the load generator's own
// synchronization), read by pipeline threads at their next stage change or wait edge.
inline constinit std::atomic<std::uint32_t> g_counted_stages{0};

inline constexpr std::uint32_t counted_stage_bit(fb_stage stage) noexcept { return 1u << stage; }

// One thread's view; touched only by the owning thread.
struct ThreadInstructionState {
  std::uint8_t stage = FB_STAGE_NONE;  // the stage the thread works in (FB_STAGE_NONE: outside requests)
  std::uint8_t waits = 0;              // nested waits in progress
  bool collecting = false;             // Callgrind's collection switch for this thread, as we set it
};
inline constinit thread_local ThreadInstructionState t_instruction_state;

// Whether this thread should collect now (the rule above), as a pure function for tests.
constexpr bool should_collect(const ThreadInstructionState& s, std::uint32_t counted) noexcept {
  return s.waits == 0 && s.stage < FB_STAGE_COUNT && (counted & (1u << s.stage)) != 0;
}

// Brings Callgrind's switch for this thread in line with should_collect() (out of line: the
// client request is in instruction_count.cpp). Returns true when it toggled.
bool sync_instruction_collection() noexcept;

// The thread now works in `stage` (FB_STAGE_NONE: outside any request).
inline void count_instructions_as(std::size_t stage) noexcept {
  if (!g_instruction_count_on) [[likely]] return;
  t_instruction_state.stage = static_cast<std::uint8_t>(stage);
  sync_instruction_collection();
}

// The thread starts / stops waiting for another thread: not counted in between.
inline void instruction_wait_begin() noexcept {
  if (!g_instruction_count_on) [[likely]] return;
  ++t_instruction_state.waits;
  sync_instruction_collection();
}
inline void instruction_wait_end() noexcept {
  if (!g_instruction_count_on) [[likely]] return;
  --t_instruction_state.waits;
  sync_instruction_collection();
}

// RAII form for a wait with several exits.
struct InstructionWait {
  InstructionWait() noexcept { instruction_wait_begin(); }
  ~InstructionWait() { instruction_wait_end(); }
  InstructionWait(const InstructionWait&) = delete;
  InstructionWait& operator=(const InstructionWait&) = delete;
};

}  // namespace fb::probes
