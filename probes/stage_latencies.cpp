#include "probes/stage_latencies.h"

namespace fb::probes {
namespace {

bool reached(const PointStamps& at, fb_point p) { return at[p] != 0; }

// Difference of two stamps in ns; a pair where either end is missing contributes nothing.
std::int64_t span(const PointStamps& at, fb_point from, fb_point to, const ClockCalibration& clock) {
  if (!reached(at, from) || !reached(at, to)) return 0;
  if (at[to] < at[from]) return -static_cast<std::int64_t>(clock.to_ns(at[from] - at[to]));
  return static_cast<std::int64_t>(clock.to_ns(at[to] - at[from]));
}

}  // namespace

StageLatencies stage_latencies(const PointStamps& at, const ClockCalibration& clock) {
  StageLatencies out;
  auto set = [&](fb_stage s, std::int64_t value, bool present) {
    out.ns[s] = value;
    out.present[s] = present;
  };
  set(FB_STAGE_ROUTE, span(at, FB_POINT_ARRIVE, FB_POINT_ROUTE_MATCHED, clock), reached(at, FB_POINT_ROUTE_MATCHED));
  set(FB_STAGE_DISPATCH, span(at, FB_POINT_ENQUEUE, FB_POINT_DEQUEUE, clock), reached(at, FB_POINT_DEQUEUE));
  set(FB_STAGE_GIL, span(at, FB_POINT_GIL_REQUEST, FB_POINT_GIL_ACQUIRED, clock), reached(at, FB_POINT_GIL_ACQUIRED));
  set(FB_STAGE_HANDLER, span(at, FB_POINT_HANDLER_CALL, FB_POINT_HANDLER_RETURN, clock),
      reached(at, FB_POINT_HANDLER_RETURN));
  // marshal: build the request object (GIL held -> call) + convert the result (return -> done).
  set(FB_STAGE_MARSHAL,
      span(at, FB_POINT_GIL_ACQUIRED, FB_POINT_HANDLER_CALL, clock) +
          span(at, FB_POINT_HANDLER_RETURN, FB_POINT_MARSHAL_DONE, clock),
      reached(at, FB_POINT_HANDLER_CALL));
  // future: create the completion slot + producer completes -> consumer observes.
  set(FB_STAGE_FUTURE,
      span(at, FB_POINT_FUTURE_CREATE, FB_POINT_FUTURE_CREATED, clock) +
          span(at, FB_POINT_FUTURE_SET, FB_POINT_FUTURE_OBSERVED, clock),
      reached(at, FB_POINT_FUTURE_CREATED));
  set(FB_STAGE_TOTAL, span(at, FB_POINT_ARRIVE, FB_POINT_RESPONSE_READY, clock), reached(at, FB_POINT_RESPONSE_READY));

  std::int64_t accounted = 0;
  bool parts = false;  // a request stamped at its ends only (StageTrace::ends_only) has no parts, so no residual
  for (std::size_t s = 0; s < kStageCount; ++s) {
    if (s != FB_STAGE_OTHER && s != FB_STAGE_TOTAL && out.present[s]) {
      accounted += out.ns[s];
      parts = true;
    }
  }
  set(FB_STAGE_OTHER, out.ns[FB_STAGE_TOTAL] - accounted, out.present[FB_STAGE_TOTAL] && parts);
  return out;
}

}  // namespace fb::probes
