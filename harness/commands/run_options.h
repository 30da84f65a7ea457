// The options of one measurement: what `run` takes and `phases` hands on to each child `run`.
// Every option is described here, once, with its units, accepted syntax and default
// (harness/cli/command_line.h), and resolved here, once, into RunSettings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/cli/command_line.h"
#include "harness/hygiene/process_hygiene.h"
#include "harness/measure/run_settings.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

// As typed on the command line: nothing checked yet.
struct RunOptions {
  std::string scenario;
  // Load (unset: the scenario's [load], else the built-in default).
  std::optional<std::int64_t> requests, warmup, clients, workers, repetitions, future_spin_ns;
  std::uint64_t seed = 1;
  bool no_progress = false;
  // Open loop and replay (as typed: numbers are checked in resolve_run_settings, so that 0, a
  // negative or a word gets a message naming the option).
  std::string rate, duration, arrival, replay, replay_format, speed;
  bool strict = false;
  // Pipeline.
  std::string phase;  // "P0".."P5"
  std::string opts;   // "direct,lockfree"
  std::string wait;   // lock-free queue wait policy; "": adaptive
  double demote_budget_us = 200.0;
  std::int64_t demote_after = 3;
  std::string subinterp_fallback;  // "fail" | "main"; "": the scenario's, else fail
  std::string inject_delay;        // testing aid "STAGE=NS"; "": off
  std::string inject_work;         // testing aid "STAGE=N" (iterations); "": off
  std::string measure = "time";    // "time" or "instructions" (under Callgrind)
  // Placement and hygiene (harness/placement/, harness/hygiene/).
  std::string pin, cpus, hash_seed, aslr, env;
  // Instrument.
  std::string stamps = "all";
  std::string probes = "inproc";
  std::string probe_sample = "auto";
  bool require_ebpf = false, probe_ab = false, no_probe_stats = false;
  // A run whose share of failed requests (5xx) exceeds this fails (exit 1): "off" or a fraction.
  std::string max_error_rate = "off";
  // Output, and where the requests go.
  std::string out;
  bool explain_routes = false;
  std::string target;  // http://HOST:PORT: a running server instead of the pipeline in this process
};

// Defaults that differ between `run` (the process as started) and `phases` (processes made
// comparable), as the --help texts state them.
struct MeasurementDefaults {
  std::int64_t repetitions = kDefaultRepetitions;
  std::string pin = "off", hash_seed, aslr = "on", env = "inherit";
  std::string pin_why;  // appended to --pin's help
};

// The options `run` and `phases` share (scenario, load, pipeline, placement, hygiene), each with
// how `phases` hands it on to a child (harness/cli/command_line.h Forward).
void describe_measurement_options(Command& command, RunOptions& options, const MeasurementDefaults& defaults);

// The groups it is made of, for commands that take only some (`serve`: scenario and pipeline).
void describe_scenario_option(Command& command, RunOptions& options);
void describe_load_options(Command& command, RunOptions& options, const MeasurementDefaults& defaults);
// --rate, --arrival, --duration, --replay, --replay-format, --speed, --strict (run, phases).
void describe_open_loop_options(Command& command, RunOptions& options);
void describe_pipeline_options(Command& command, RunOptions& options);
void describe_isolation_options(Command& command, RunOptions& options, const MeasurementDefaults& defaults);
// --phase and --opt: which optimizations a single configuration switches on (run, serve).
void describe_configuration_options(Command& command, RunOptions& options);

// The settings, after applying the command line over the scenario's [load] over the defaults.
// Throws UsageError naming the option for anything out of range or unavailable (an unknown
// phase, an optimization compiled out, --wait without lockfree, a CPU this process may not use).
RunSettings resolve_run_settings(const RunOptions& options, const Scenario& scenario);

// The open loop or replay the options ask for (--rate, --replay, ...), or none (closed loop).
// Throws UsageError for a bad number, a rate <= 0, an option that needs another (--speed without
// --replay), or a schedule too large to hold.
std::optional<OpenLoad> resolve_open_load(const RunOptions& options);

// Throws UsageError when `opts` cannot run here: compiled out, or not supported by the embedded
// Python (the message names the reason).
void require_available(const OptimizationSet& opts);

// --max-error-rate, described with the command's default ("off" for run, 0.01 for phases). Not
// handed to phases' children: phases checks the rate of each configuration over its repetitions.
void describe_max_error_rate_option(Command& command, RunOptions& options, const std::string& default_value);

// --hash-seed / --aslr / --env. Throws UsageError for a bad hash seed.
HygieneRequest resolve_hygiene(const RunOptions& options);

// --inject-delay or --inject-work parsed (at most one of them); throws UsageError
// ("--inject-delay: unknown stage ...") when bad.
InjectedDelay resolve_inject_delay(const RunOptions& options);

// One line on stderr saying which regression is injected ("run: --inject-work marshal=5000: ...").
void announce_injection(std::string_view command, const InjectedDelay& injected);

}  // namespace fb::harness
