// The one stage-point function. The pipeline calls stage_point() at every boundary of
// DESIGN.md's stage table; it stamps the in-process clock into the request's trace and tells
// the allocation counter which stage this thread is now in. The pipeline never knows which
// probe backend reads the trace afterwards, nor whether allocations are being counted.
#pragma once

#include "probes/alloc_counter.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"

namespace fb {

// The stamps of one request. Lives in the caller's frame; a worker that stamps it publishes
// its stamps by completing the request's future (release), and the caller reads them after
// observing the completion (acquire).
struct StageTrace {
  probes::PointStamps at{};

  void clear() noexcept { at.fill(0); }
  bool reached(fb_point p) const noexcept { return at[p] != 0; }
};

inline void stage_point(StageTrace& trace, fb_point point) noexcept {
  trace.at[point] = probes::now_ticks();
  probes::charge_allocations_to(probes::kAllocStageAfterPoint[point]);
}

// No timestamp: from here on, heap allocations of this thread belong to `stage`. For the
// changes of stage that no point marks: the caller between its push and its wait, a worker
// between completing one request and taking the next (probes/alloc_counter.h).
inline void stage_enter(fb_stage stage) noexcept { probes::charge_allocations_to(stage); }

}  // namespace fb
