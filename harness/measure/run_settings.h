// Everything one measurement needs, resolved and checked: the command line (harness/commands/
// run_options.h) over the scenario's [load] over the built-in defaults. What `run` measures
// with, and what `phases` checks before it starts any child.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "framework/app.h"
#include "framework/dispatch/wait_strategy.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "harness/load/arrival_schedule.h"
#include "harness/load/trace_parse.h"
#include "harness/placement/placement.h"

namespace fb::harness {

// Built-in load defaults, used when neither the command line nor the scenario's [load] says.
inline constexpr std::int64_t kDefaultRequests = 100'000;
inline constexpr std::int64_t kDefaultWarmup = 10'000;
inline constexpr std::int64_t kDefaultClients = 1;
inline constexpr std::int64_t kDefaultRepetitions = 1;
// An open loop given a rate and neither --duration nor --requests sends for this long.
inline constexpr double kDefaultOpenDurationS = 5.0;
// Arrivals one schedule may hold (16 bytes each): 50 M, e.g. 10 s at 5 M req/s.
inline constexpr std::int64_t kMaxScheduledArrivals = 50'000'000;

// A trace to replay (--replay): harness/load/replay.h.
struct ReplaySource {
  std::string file;
  TraceFormat format = TraceFormat::combined;
  double speed = 1.0;  // recorded times divided by this (unless OpenLoad::rate_rps is set)
  bool strict = false;
};

// An open loop (--rate) or a replay (--replay): what leaves when (harness/load/schedule_pacer.h).
struct OpenLoad {
  std::optional<double> rate_rps;  // --rate; with a replay, a fixed rate instead of the recorded times
  ArrivalProcess arrival = ArrivalProcess::poisson;
  std::optional<std::int64_t> requests;  // --requests: this many arrivals, instead of a duration
  double duration_s = kDefaultOpenDurationS;
  std::optional<ReplaySource> replay;

  std::string mode() const { return replay ? "replay" : "open"; }
};

struct RunSettings {
  // The load.
  std::int64_t requests = kDefaultRequests;
  std::int64_t warmup = kDefaultWarmup;
  std::int64_t clients = kDefaultClients;
  std::int64_t workers = 1;  // executor threads
  std::int64_t repetitions = kDefaultRepetitions;
  std::uint64_t seed = 1;    // of the request mix's random draws
  std::optional<OpenLoad> open;  // unset: the closed loop
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
  bool count_instructions = false;  // --measure instructions: Callgrind counts, no times
  // Guest mode (harness/python/guest_bench.h), where a Python process drives the measurement: the
  // calling thread is client 0 (LoadSettings::caller_is_first_client), and `*stop` (its interrupt
  // flag) ends the measurement early once set. Never set by the CLI.
  bool caller_is_first_client = false;
  const std::atomic<bool>* stop = nullptr;
};

}  // namespace fb::harness
