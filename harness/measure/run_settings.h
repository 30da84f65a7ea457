// Everything one measurement needs, resolved and checked: the command line (harness/commands/
// run_options.h) over the scenario's [load] over the built-in defaults. What `run` measures
// with, and what `phases` checks before it starts any child.
#pragma once

#include <chrono>
#include <cstdint>

#include "framework/app.h"
#include "framework/dispatch/wait_strategy.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "harness/placement/placement.h"

namespace fb::harness {

// Built-in load defaults, used when neither the command line nor the scenario's [load] says.
inline constexpr std::int64_t kDefaultRequests = 100'000;
inline constexpr std::int64_t kDefaultWarmup = 10'000;
inline constexpr std::int64_t kDefaultClients = 1;
inline constexpr std::int64_t kDefaultRepetitions = 1;

struct RunSettings {
  // The load.
  std::int64_t requests = kDefaultRequests;
  std::int64_t warmup = kDefaultWarmup;
  std::int64_t clients = kDefaultClients;
  std::int64_t workers = 1;  // executor threads
  std::int64_t repetitions = kDefaultRepetitions;
  std::uint64_t seed = 1;    // of the request mix's random draws
  // The pipeline.
  OptimizationSet opts;
  WaitPolicy wait = WaitPolicy::adaptive;  // the lock-free queue's (lockfree only)
  DemotionPolicy demotion;                 // the direct path's guard
  std::chrono::nanoseconds future_spin = kDefaultFutureSpin;  // inline-future only
  SubinterpFallback subinterp_fallback = SubinterpFallback::fail;
  InjectedDelay delay;                     // testing aid (framework/inject_delay.h), off by default
  // The measurement.
  Placement placement;      // where the threads run; no CPUs: left to the OS, untouched
  bool stamps_ends = false; // stamp only the ends (run --stamps ends)
};

}  // namespace fb::harness
