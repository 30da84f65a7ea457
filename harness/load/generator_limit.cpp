#include "harness/load/generator_limit.h"

#include <algorithm>
#include <barrier>
#include <memory>
#include <thread>

#include "harness/load/schedule_pacer.h"
#include "probes/inproc_recorder.h"
#include "probes/stage_latencies.h"

namespace fb::harness {
namespace {

double one_trial(std::int64_t senders) {
  // Arrivals 1 ns apart: all due before the first sender looks, so nobody ever waits.
  ArrivalSchedule schedule;
  schedule.arrivals.reserve(static_cast<std::size_t>(kGeneratorLimitArrivals));
  for (std::int64_t i = 0; i < kGeneratorLimitArrivals; ++i) schedule.arrivals.push_back({i, 0});
  schedule.window_ns = kGeneratorLimitArrivals;
  SchedulePacer pacer(schedule, late_threshold_ns(schedule));
  std::vector<std::unique_ptr<probes::InprocRecorder>> recorders;
  for (std::int64_t s = 0; s < senders; ++s) recorders.push_back(std::make_unique<probes::InprocRecorder>());
  std::barrier ready(static_cast<std::ptrdiff_t>(senders), [&pacer]() noexcept { pacer.start(); });
  std::vector<std::thread> threads;
  for (std::int64_t s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      SenderPace pace;
      probes::InprocRecorder& recorder = *recorders[static_cast<std::size_t>(s)];
      probes::PointStamps at{};
      const probes::ClockCalibration& clock = probes::clock_calibration();
      ready.arrive_and_wait();
      while (auto slot = pacer.next(pace)) {
        at[FB_POINT_ARRIVE] = probes::now_ticks();  // the no-op route: arrives and is answered at once
        at[FB_POINT_RESPONSE_READY] = probes::now_ticks();
        recorder.record(probes::stage_latencies(at, clock, slot->intended));
        pacer.completed();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - pacer.start_time()).count();
  return seconds > 0 ? static_cast<double>(kGeneratorLimitArrivals) / seconds : 0;
}

}  // namespace

GeneratorLimit measure_generator_limit(std::int64_t senders) {
  GeneratorLimit limit;
  // The work is CPU-bound: more threads than CPUs add no rate, only memory (one recorder each).
  const auto cpus = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  limit.senders = std::min(senders, cpus);
  for (int t = 0; t < kGeneratorLimitTrials; ++t) limit.trials_rps.push_back(one_trial(limit.senders));
  std::vector<double> sorted = limit.trials_rps;
  std::sort(sorted.begin(), sorted.end());
  limit.rps = sorted[sorted.size() / 2];
  return limit;
}

}  // namespace fb::harness
