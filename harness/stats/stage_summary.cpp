#include "harness/stats/stage_summary.h"

namespace fb::harness {

StageSummary summarize_stage(const probes::Histogram& h, double signed_mean) {
  StageSummary s;
  s.count = h.count();
  if (s.count == 0) {
    for (double q : kCurvePercentiles) s.curve.emplace_back(q, 0);
    return s;
  }
  s.mean_ns = signed_mean;
  s.p50_ns = h.value_at_percentile(50);
  s.p90_ns = h.value_at_percentile(90);
  s.p99_ns = h.value_at_percentile(99);
  s.p999_ns = h.value_at_percentile(99.9);
  s.max_ns = h.max();
  for (double q : kCurvePercentiles) s.curve.emplace_back(q, h.value_at_percentile(q));
  return s;
}

}  // namespace fb::harness
