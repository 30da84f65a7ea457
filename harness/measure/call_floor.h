// The attach + call + detach floor, measured inside each `run` process: attach a persistent
// thread state, call a trivial handler (`lambda request: b"ok"`) with one argument, detach.
// Every direct-path request pays at least this (fasterbench-micro's BM_AttachCallDetach
// measures the same loop), so `total p50 / floor` says how much the framework adds around the
// Python call, measured under the same conditions as the requests (same process, right after
// each repetition's measured window).
#pragma once

namespace fb::harness {

// Median over 7 batches of 20k calls of the per-call time in ns, in the main interpreter.
// Needs Python started and no thread state attached on the calling thread.
double measure_call_floor_ns();

}  // namespace fb::harness
