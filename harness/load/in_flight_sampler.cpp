#include "harness/load/in_flight_sampler.h"

#include <algorithm>
#include <random>


namespace fb::harness {

InFlightSampler::InFlightSampler(const SchedulePacer& pacer, std::uint64_t seed)
    : pacer_(pacer), thread_([this, seed] { run(seed); }) {}

InFlightSampler::~InFlightSampler() { stop(); }

InFlightSamples InFlightSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  return result_;
}

void InFlightSampler::run(std::uint64_t seed) {
  std::mt19937_64 rng(seed * 6364136223846793005ull + 99);
  std::exponential_distribution<double> gap(1.0 / static_cast<double>(kMeanGap.count()));
  double sum = 0, sum_sq = 0;
  std::uint64_t n = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto wait = std::chrono::microseconds(static_cast<std::int64_t>(gap(rng)) + 1);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) break;
    const std::uint64_t done = pacer_.completed_count();
    const std::size_t due = pacer_.due_by(probes::now_ticks());
    const double in_system = due > done ? static_cast<double>(due - done) : 0.0;
    sum += in_system;
    sum_sq += in_system * in_system;
    ++n;
  }
  result_.samples = n;
  result_.mean_in_system = n == 0 ? 0.0 : sum / static_cast<double>(n);
  if (n >= 2) {
    const double nn = static_cast<double>(n);
    result_.variance = std::max(0.0, (sum_sq - sum * sum / nn) / (nn - 1.0));
  }
}

}  // namespace fb::harness
