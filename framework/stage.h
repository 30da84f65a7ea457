// The one stage-point function. The pipeline calls stage_point() at every boundary of the
// stage table (probes/stage_ids.h; docs/architecture.md); it stamps the in-process clock into
// the request's trace, fires the point's USDT probe (probes/usdt.h) for the requests the load
// generator sampled when a tracer is attached, and tells the allocation counter (and, in
// instructions mode, Callgrind's per-thread collection: probes/instruction_count.h) which stage
// this thread is now in. The pipeline never knows which probe backend reads the trace
// afterwards, nor whether allocations are being counted.
#pragma once

#include <cstdint>

#include "probes/alloc_counter.h"
#include "probes/clock.h"
#include "probes/instruction_count.h"
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
  // Set by the load generator to measure the instrument itself (`run --stamps ends`): only
  // `arrive` and `response_ready` are stamped, and `handler_call` / `handler_return`, which the
  // pipeline itself reads (the demotion guard times direct calls with them); every other point
  // costs one test. The total with all points minus the total with these is what the rest of
  // the instrument costs a request. Never together with `sampled` (the probes need every point).
  bool ends_only = false;
  std::uint64_t request_id = 0;

  void clear() noexcept { at.fill(0); }  // keeps sampled/ends_only/request_id: the caller sets them
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
  probes::count_instructions_as(probes::kAllocStageAfterPoint[point]);
}

// Unsampled requests pay one predictable branch for the probes (`|`, not `||`: both flags in one
// test). With ends_only, a point the pipeline does not need returns at once: the comparison
// folds away where the point is a constant, which it is at every call site.
inline void stage_point(StageTrace& trace, fb_point point) noexcept {
  if (trace.sampled | trace.ends_only) [[unlikely]] {
    if (!trace.ends_only) {
      sampled_stage_point(trace, point);
      return;
    }
    if (point != FB_POINT_ARRIVE && point != FB_POINT_RESPONSE_READY && point != FB_POINT_HANDLER_CALL &&
        point != FB_POINT_HANDLER_RETURN) {
      return;
    }
  }
  trace.at[point] = probes::now_ticks();
  probes::charge_allocations_to(probes::kAllocStageAfterPoint[point]);
  probes::count_instructions_as(probes::kAllocStageAfterPoint[point]);  // instructions mode only
}

// No timestamp: from here on, heap allocations of this thread belong to `stage`. For the
// changes of stage that no point marks: the caller between its push and its wait, a worker
// between completing one request and taking the next (probes/alloc_counter.h).
inline void stage_enter(fb_stage stage) noexcept {
  probes::charge_allocations_to(stage);
  probes::count_instructions_as(stage);
}

}  // namespace fb
