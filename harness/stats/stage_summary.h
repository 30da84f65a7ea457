// Per-stage summary statistics of one run, read from its histogram.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "probes/histogram.h"

namespace fb::harness {

// The percentiles stored for percentile curves (p50 .. p99.99).
inline constexpr std::array<double, 8> kCurvePercentiles = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99};

struct StageSummary {
  std::uint64_t count = 0;
  double mean_ns = 0;
  std::uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  std::vector<std::pair<double, std::uint64_t>> curve;  // (percentile, ns) for kCurvePercentiles
};

// `signed_mean` overrides the histogram's mean (the `other` residual can be negative; its
// histogram holds magnitudes). An empty histogram gives count 0 and zeros everywhere.
StageSummary summarize_stage(const probes::Histogram& histogram, double signed_mean);

}  // namespace fb::harness
