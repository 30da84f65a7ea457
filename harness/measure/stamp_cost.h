// Measures what one stage-point stamp costs on this machine, so results can state it.
#pragma once

namespace fb::harness {

// Median over 9 batches of 200k stamps of the per-stamp time in ns (clock must be calibrated).
double measure_stamp_cost_ns();

}  // namespace fb::harness
