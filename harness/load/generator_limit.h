// The load generator's own limit on this machine: the highest rate at which C sender threads can
// claim arrivals from a schedule, time them and record them when sending costs nothing (a no-op
// route). A rate above it cannot be offered; a run near it measures the generator, not the
// pipeline. Measured, never assumed: every open-loop run prints it beside its offered rate.
#pragma once

#include <cstdint>
#include <vector>

namespace fb::harness {

struct GeneratorLimit {
  std::int64_t senders = 0;        // threads used: the run's senders, at most one per CPU
  double rps = 0;                  // median over the trials
  std::vector<double> trials_rps;  // each trial's rate
};

// `senders` threads drain a schedule whose every arrival is already due, each "send" recording
// the latencies of a request as the real senders do (clock reads, stage histogram, lag
// accounting, the completion count). kTrials trials of kArrivals arrivals; about 0.1 s in all.
GeneratorLimit measure_generator_limit(std::int64_t senders);

inline constexpr int kGeneratorLimitTrials = 3;
inline constexpr std::int64_t kGeneratorLimitArrivals = 200'000;

}  // namespace fb::harness
