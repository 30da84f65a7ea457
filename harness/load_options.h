// The load options shared by `run` and `phases`. Every flag is documented where it is added.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "framework/options.h"
#include "framework/inject_delay.h"
#include "harness/scenario.h"

namespace fb::harness {

struct LoadOptions {
  std::string scenario;
  std::optional<std::int64_t> requests, warmup, clients, workers, repetitions;
  std::optional<std::int64_t> future_spin_ns;
  std::uint64_t seed = 1;
  bool no_progress = false;
  std::string subinterp_fallback;  // "fail" | "main"; empty: scenario, else "fail"
  std::string inject_delay;  // testing aid: "STAGE=NS" (framework/inject_delay.h); "" = off
};

// Built-in defaults, used when neither the command line nor the scenario's [load] says.
inline constexpr std::int64_t kDefaultRequests = 100'000;
inline constexpr std::int64_t kDefaultWarmup = 10'000;
inline constexpr std::int64_t kDefaultClients = 1;
inline constexpr std::int64_t kDefaultRepetitions = 1;

// `default_repetitions`: what --help states when neither the command line nor the scenario
// says (`run` kDefaultRepetitions, `phases` its own).
void add_load_options(CLI::App& cmd, LoadOptions& options, std::int64_t default_repetitions);

// The settings after applying, in order: command line, scenario [load], defaults. Throws
// UsageError for nonsense (0 clients, negative requests, more clients than requests).
struct ResolvedLoad {
  std::int64_t requests, warmup, clients, workers, repetitions;
  std::uint64_t seed;
  std::int64_t future_spin_ns;
  SubinterpFallback subinterp_fallback = SubinterpFallback::fail;
};
ResolvedLoad resolve_load(const LoadOptions& options, const Scenario& scenario);

// --inject-delay parsed; throws UsageError ("--inject-delay: unknown stage ...") when bad.
InjectedDelay resolve_inject_delay(const LoadOptions& options);

}  // namespace fb::harness
