// The one stage-point function. The pipeline calls stage_point() at every boundary of
// DESIGN.md's stage table; it stamps the in-process clock into the request's trace. The
// pipeline never knows which probe backend reads the trace afterwards.
#pragma once

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

inline void stage_point(StageTrace& trace, fb_point point) noexcept { trace.at[point] = probes::now_ticks(); }

}  // namespace fb
