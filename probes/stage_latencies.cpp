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

StageLatencies stage_latencies(const PointStamps& at, const ClockCalibration& clock, Ticks intended) {
  StageLatencies out;
  auto set = [&](fb_stage s, std::int64_t value, bool present) {
    out.ns[s] = value;
    out.present[s] = present;
  };
  // Every SPAN stage of probes/stage_ids.h: its one or two spans, present once `to1` is reached.
#define FB_SPAN(id, from1, to1, from2, to2)                                                                   \
  set(FB_STAGE_##id, span(at, FB_POINT_##from1, FB_POINT_##to1, clock) + span(at, FB_POINT_##from2, FB_POINT_##to2, clock), \
      reached(at, FB_POINT_##to1));
  FB_SPAN_STAGES
#undef FB_SPAN

  if (intended != 0 && reached(at, FB_POINT_ARRIVE)) {
    // The sender never starts before its intended time, so queue >= 0 up to clock rounding.
    const Ticks arrive = at[FB_POINT_ARRIVE];
    const std::int64_t queue = arrive >= intended ? static_cast<std::int64_t>(clock.to_ns(arrive - intended))
                                                  : -static_cast<std::int64_t>(clock.to_ns(intended - arrive));
    set(FB_STAGE_QUEUE, queue, true);
    if (out.present[FB_STAGE_TOTAL]) out.ns[FB_STAGE_TOTAL] += queue;
  }

  std::int64_t accounted = 0;
  bool parts = false;  // a request stamped at its ends only (StageTrace::ends_only) has no parts, so no residual
  for (std::size_t s = 0; s < kStageCount; ++s) {
    if (fb_stage_in_total(static_cast<int>(s)) && out.present[s]) {
      accounted += out.ns[s];
      parts = parts || s != FB_STAGE_QUEUE;  // queue alone (ends-only stamps) is not a pipeline part
    }
  }
  set(FB_STAGE_OTHER, out.ns[FB_STAGE_TOTAL] - accounted, out.present[FB_STAGE_TOTAL] && parts);
  return out;
}

}  // namespace fb::probes
