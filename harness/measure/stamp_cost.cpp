#include "harness/measure/stamp_cost.h"

#include <chrono>
#include <vector>

#include "framework/stage.h"
#include "harness/stats/aggregate.h"

namespace fb::harness {

double measure_stamp_cost_ns() {
  constexpr int kBatches = 9;
  constexpr int kStampsPerBatch = 200'000;
  StageTrace trace;
  std::vector<double> per_stamp;
  for (int b = 0; b < kBatches; ++b) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kStampsPerBatch; ++i) {
      // Cycle through points like a request does, so stores hit different slots.
      stage_point(trace, static_cast<fb_point>(i % FB_POINT_COUNT));
    }
    const auto t1 = std::chrono::steady_clock::now();
    per_stamp.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kStampsPerBatch);
    asm volatile("" : : "r"(&trace) : "memory");  // keep the stores
  }
  probes::charge_allocations_to(probes::kAllocOutside);  // the stamps above left this thread "in" a stage
  return median(per_stamp);
}

}  // namespace fb::harness
