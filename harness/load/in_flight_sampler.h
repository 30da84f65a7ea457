// InFlightSampler: measures how many requests are in the system (intended send time passed,
// response not ready yet) while an open-loop run goes, independently of the latencies, so that
// Little's law (mean in system = achieved rate x mean latency, harness/stats/littles_law.h) is a
// check and not an identity.
//
// What: one thread wakes at random instants (exponential gaps of mean kMeanGap: Poisson
// sampling sees time averages, PASTA, and cannot lock onto a constant schedule's period) and
// reads due_by(now) - completed from the pacer. Two relaxed loads apart: a sample can be off by
// the requests that complete between them, which averages out and is far below one request.
//
// SHARP EDGES: construct after pacer.start(); stop() (or the destructor) joins the thread. It
// costs ~1,000 wake-ups a second, on whichever CPU the process may use.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "harness/load/schedule_pacer.h"

namespace fb::harness {

struct InFlightSamples {
  std::uint64_t samples = 0;
  double mean_in_system = 0;
  double variance = 0;  // of the samples (n - 1 in the denominator; 0 below two samples)
};

class InFlightSampler {
 public:
  static constexpr std::chrono::microseconds kMeanGap{1000};

  InFlightSampler(const SchedulePacer& pacer, std::uint64_t seed);
  ~InFlightSampler();
  InFlightSampler(const InFlightSampler&) = delete;
  InFlightSampler& operator=(const InFlightSampler&) = delete;

  // Stops sampling and returns what was seen. Idempotent.
  InFlightSamples stop();

 private:
  void run(std::uint64_t seed);

  const SchedulePacer& pacer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  InFlightSamples result_;  // written by the sampling thread, read after join
  std::thread thread_;
};

}  // namespace fb::harness
