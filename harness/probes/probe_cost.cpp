#include "harness/probes/probe_cost.h"

#include <time.h>

#include <vector>

#include "framework/stage.h"
#include "harness/stats/aggregate.h"
#include "probes/usdt.h"

namespace fb::harness {
namespace {

// 25 batches of 40 requests x 14 points per measurement (~1.5 ms attached for primed points at
// ~2.5 µs each). Timed in thread
// CPU time, which counts the probe's trap and program (system time of this thread) but not the
// time other processes hold the CPU: on a shared 2-vCPU machine a wall-clock batch would carry
// their time slices. The median over batches drops the rest of the noise.
constexpr int kBatches = 25;
constexpr int kRequestsPerBatch = 40;
// Calibration requests carry ids no run uses (runs number theirs from (rep + 1) << 40).
constexpr std::uint64_t kCalibrationIdBase = 1ull << 62;

double thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// ns per point over one batch of complete sampled requests, each point fired by `fire` in order
// (so the stage program does its full work per request, request table insert and delete
// included).
template <typename Fire>
double batch_ns_per_point(std::uint64_t& next_id, Fire fire) {
  const double t0 = thread_cpu_ns();
  for (int r = 0; r < kRequestsPerBatch; ++r) {
    const std::uint64_t id = next_id++;
    for (std::size_t p = 0; p < probes::kPointCount; ++p) fire(static_cast<fb_point>(p), id);
  }
  const double t1 = thread_cpu_ns();
  return (t1 - t0) / static_cast<double>(kRequestsPerBatch * probes::kPointCount);
}

template <typename Fire>
double median_ns_per_point(std::uint64_t& next_id, Fire fire) {
  batch_ns_per_point(next_id, fire);  // warm caches and branch predictors
  std::vector<double> batches;
  for (int b = 0; b < kBatches; ++b) batches.push_back(batch_ns_per_point(next_id, fire));
  return median(batches);
}

// What a sampled request does at a point: prime, stamp, hit (framework/stage.h).
void primed_point(fb_point point, std::uint64_t id) {
  StageTrace trace;
  trace.sampled = true;
  trace.request_id = id;
  stage_point(trace, point);
  asm volatile("" : : "r"(&trace) : "memory");
}
void hit_only(fb_point point, std::uint64_t id) { probes::usdt_fire(point, id, 1); }
void prime_only(fb_point point, std::uint64_t id) { probes::usdt_prime(point, id); }

struct PerPoint {
  double point = 0, hit = 0, prime = 0;
};

PerPoint measure(std::uint64_t& next_id) {
  PerPoint m;
  m.point = median_ns_per_point(next_id, primed_point);
  m.hit = median_ns_per_point(next_id, hit_only);
  m.prime = median_ns_per_point(next_id, prime_only);
  return m;
}

}  // namespace

HitCostCalibration calibrate_hit_cost(probes::EbpfBackend& backend) {
  std::uint64_t next_id = kCalibrationIdBase;
  HitCostCalibration c;
  c.points = static_cast<std::uint64_t>(kBatches) * kRequestsPerBatch * probes::kPointCount;
  backend.detach();
  const PerPoint detached = measure(next_id);
  backend.attach();
  const PerPoint attached = measure(next_id);
  c.detached_ns_per_point = detached.point;
  c.attached_ns_per_point = attached.point;
  c.point_ns = attached.point - detached.point;
  c.hit_ns = attached.hit - detached.hit;
  c.prime_ns = attached.prime - detached.prime;
  backend.clear();
  return c;
}

}  // namespace fb::harness
