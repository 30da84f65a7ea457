// Closed-loop load: C client threads, each with one request outstanding, sending the scenario's
// mix until a shared request budget is used. The first `warmup` requests (all clients
// together) are not recorded; a barrier separates them from the measured part so that the
// measured wall time covers only measured requests.
#pragma once

#include <atomic>
#include <cstdint>

#include "framework/app.h"
#include "harness/load/load_result.h"
#include "harness/load/request_mix.h"

namespace fb::harness {

struct ClosedLoopSettings {
  std::int64_t requests = 0;
  std::int64_t warmup = 0;
  std::int64_t clients = 1;
  std::uint64_t seed = 1;
};

struct LoadProgress {
  std::atomic<std::int64_t> done{0};  // measured requests completed so far
};

LoadResult run_closed_loop(App& app, const RequestMix& mix, const ClosedLoopSettings& settings,
                           LoadProgress* progress = nullptr);

}  // namespace fb::harness
