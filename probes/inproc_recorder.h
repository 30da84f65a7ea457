// The in-process probe backend's per-thread recorder: one histogram per stage, preallocated,
// owned by the thread that completes requests, so recording takes no lock and allocates nothing.
// Recorders of all threads are merged when the run ends.
#pragma once

#include <array>

#include "probes/histogram.h"
#include "probes/stage_latencies.h"

namespace fb::probes {

class InprocRecorder {
 public:
  void record(const StageLatencies& request) noexcept {
    for (std::size_t s = 0; s < kStageCount; ++s) {
      if (!request.present[s]) continue;
      // `other` is a residual and can be slightly negative; its histogram holds magnitudes and
      // the sign is kept in the signed sum so the mean stays honest.
      const std::int64_t v = request.ns[s];
      stages_[s].record(static_cast<std::uint64_t>(v < 0 ? -v : v));
      signed_sum_[s] += v;
    }
  }

  void merge(const InprocRecorder& other) noexcept {
    for (std::size_t s = 0; s < kStageCount; ++s) {
      stages_[s].merge(other.stages_[s]);
      signed_sum_[s] += other.signed_sum_[s];
    }
  }

  void reset() noexcept {
    for (auto& h : stages_) h.reset();
    signed_sum_.fill(0);
  }

  const Histogram& stage(fb_stage s) const noexcept { return stages_[s]; }
  // Mean with sign (differs from stage(s).mean() only for `other`).
  double signed_mean(fb_stage s) const noexcept {
    const auto n = stages_[s].count();
    return n == 0 ? 0.0 : static_cast<double>(signed_sum_[s]) / static_cast<double>(n);
  }

 private:
  std::array<Histogram, kStageCount> stages_;
  std::array<std::int64_t, kStageCount> signed_sum_{};
};

}  // namespace fb::probes
