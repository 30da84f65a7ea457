// The one stage-point function. The pipeline calls stage_point() at every boundary of
// DESIGN.md's stage table; it stamps the in-process clock into the request's trace, fires the
// point's USDT probe (probes/usdt.h) for the requests the load generator sampled when a tracer
// is attached, and tells the allocation counter which stage this thread is now in. The pipeline
// never knows which probe backend reads the trace afterwards, nor whether allocations are being
// counted.
#pragma once

#include <cstdint>

#include "probes/alloc_counter.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"
#include "probes/usdt.h"

namespace fb {

// The stamps of one request. Lives in the caller's frame; a worker that stamps it publishes
// its stamps by completing the request's future (release), and the caller reads them after
// observing the completion (acquire).
struct StageTrace {
  probes::PointStamps at{};
  // Set by the load generator before the request enters the pipeline, read-only afterwards:
  // whether this request fires the USDT probes (1 in N, --probe-sample), and the id the
  // probes carry so the eBPF side can follow the request across threads.
  bool sampled = false;
  std::uint64_t request_id = 0;

  void clear() noexcept { at.fill(0); }  // keeps sampled/request_id: the caller sets them
  bool reached(fb_point p) const noexcept { return at[p] != 0; }
};

// A sampled request's point, out of line: its probe fires right after the stamp, so the
// in-process and the eBPF timestamps of the point are as close as they can be, and once before
// the stamp too, as a prime, so that the real hit finds its path warm (probes/usdt.h). Each
// fires only while its semaphore says a tracer is attached.
[[gnu::cold, gnu::noinline]] inline void sampled_stage_point(StageTrace& trace, fb_point point) noexcept {
  probes::usdt_prime(point, trace.request_id);
  const probes::Ticks now = probes::now_ticks();
  trace.at[point] = now;
  probes::usdt_fire(point, trace.request_id, now);
  probes::charge_allocations_to(probes::kAllocStageAfterPoint[point]);
}

// Unsampled requests pay one predictable branch for the probes.
inline void stage_point(StageTrace& trace, fb_point point) noexcept {
  if (trace.sampled) [[unlikely]] {
    sampled_stage_point(trace, point);
    return;
  }
  trace.at[point] = probes::now_ticks();
  probes::charge_allocations_to(probes::kAllocStageAfterPoint[point]);
}

// No timestamp: from here on, heap allocations of this thread belong to `stage`. For the
// changes of stage that no point marks: the caller between its push and its wait, a worker
// between completing one request and taking the next (probes/alloc_counter.h).
inline void stage_enter(fb_stage stage) noexcept { probes::charge_allocations_to(stage); }

}  // namespace fb
