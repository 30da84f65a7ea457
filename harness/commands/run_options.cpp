#include "harness/commands/run_options.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <thread>

#include "harness/cli/exit_codes.h"
#include "probes/stage_names.h"

namespace fb::harness {
namespace {

std::int64_t pick(const std::optional<std::int64_t>& cli, const std::optional<std::int64_t>& scenario, std::int64_t fallback) {
  return cli ? *cli : scenario ? *scenario : fallback;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

// A decimal number as typed for `option`; "abc", "", "1e" and "nan" are usage errors.
double parse_decimal(const std::string& text, const std::string& option) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    throw UsageError(option + " must be a number, got '" + text + "'");
  }
  return v;
}

OptimizationSet resolve_optimizations(const RunOptions& o) {
  if (!o.opts.empty()) {
    try {
      return parse_optimizations(o.opts);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--opt: ") + e.what());
    }
  }
  const std::string phase = o.phase.empty() ? "P0" : o.phase;
  auto set = phase_optimizations(phase);
  if (!set) throw UsageError("--phase: unknown phase '" + phase + "' (accepted: " + phase_names_list() + ")");
  return *set;
}

WaitPolicy resolve_wait(const RunOptions& o, const OptimizationSet& opts) {
  if (o.wait.empty()) return WaitPolicy::adaptive;
  if (!opts.lockfree) {
    throw UsageError("--wait " + o.wait + " applies to the lock-free queue only; " + config_label(opts) +
                     " uses the mutex queue (add --opt lockfree, or use a phase with lockfree)");
  }
  return *wait_policy_from_name(o.wait);  // the parser has checked the spelling
}

DemotionPolicy resolve_demotion(const RunOptions& o) {
  if (!(o.demote_budget_us >= 0) || !std::isfinite(o.demote_budget_us)) {
    throw UsageError("--demote-budget-us must be >= 0, got " + std::to_string(o.demote_budget_us));
  }
  if (o.demote_after < 1 || o.demote_after > 1'000'000'000) {
    throw UsageError("--demote-after must be >= 1, got " + std::to_string(o.demote_after));
  }
  DemotionPolicy p;
  p.budget = std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(o.demote_budget_us * 1000.0)));
  p.after = static_cast<std::uint32_t>(o.demote_after);
  return p;
}

}  // namespace

void describe_measurement_options(Command& cmd, RunOptions& o, const MeasurementDefaults& d) {
  describe_scenario_option(cmd, o);
  describe_load_options(cmd, o, d);
  describe_open_loop_options(cmd, o);
  cmd.add({.name = "--measure", .target = &o.measure,
           .help = "What a run measures: time (the in-process clock, default) or instructions (re-runs itself under "
                   "Valgrind's callgrind and counts the instructions each request and each stage executes, waits "
                   "excluded: deterministic, no times; with a fixed hash seed (0 unless --hash-seed says), ASLR "
                   "off and a fixed-size environment (--env fixed); see docs/instructions.md)",
           .choices = {"time", "instructions"}, .forward = Forward::if_given});
  describe_pipeline_options(cmd, o);
  describe_isolation_options(cmd, o, d);
}

void describe_scenario_option(Command& cmd, RunOptions& o) {
  cmd.add({.name = "--scenario", .target = &o.scenario, .help = "Scenario file (TOML), e.g. scenarios/hello.toml",
           .required = true, .forward = Forward::always});
}

void describe_load_options(Command& cmd, RunOptions& o, const MeasurementDefaults& d) {
  using F = Forward;
  cmd.add({.name = "--requests", .target = &o.requests,
           .help = "Measured requests per repetition (default: scenario [load] or " + std::to_string(kDefaultRequests) + ")",
           .forward = F::if_given});
  cmd.add({.name = "--warmup", .target = &o.warmup,
           .help = "Requests sent before measuring, not recorded (default: scenario or " + std::to_string(kDefaultWarmup) + ")",
           .forward = F::if_given});
  cmd.add({.name = "--clients", .target = &o.clients,
           .help = "Client threads (default: scenario or 1). Closed loop: each with one request outstanding. Open loop "
                   "(--rate, --replay): senders sharing the schedule, so at most this many requests are outstanding",
           .forward = F::if_given});
  // phases: repetitions of each configuration, each a child of one repetition.
  cmd.add({.name = "--repetitions", .target = &o.repetitions,
           .help = "Repetitions of each configuration (default: scenario or " + std::to_string(d.repetitions) + ")"});
  // phases: the base seed; repetition r of every configuration gets seed + r.
  cmd.add({.name = "--seed", .target = &o.seed, .help = "Seed of the request mix's random draws (default: 1)"});
  cmd.add({.name = "--no-progress", .target = &o.no_progress, .help = "Do not draw a progress bar on stderr"});
}

void describe_open_loop_options(Command& cmd, RunOptions& o) {
  using F = Forward;
  cmd.add({.name = "--rate", .target = &o.rate,
           .help = "Open loop: send R requests per second on a schedule made before the run, whatever the responses "
                   "do, and time each request from its intended send time (coordinated omission corrected: the wait "
                   "for a free sender is the `queue` stage, inside `total`). R > 0 and at most the load generator's "
                   "own limit, measured at the start of the run. With --replay: a fixed rate instead of the recorded times",
           .type_name = "R", .forward = F::if_given});
  cmd.add({.name = "--arrival", .target = &o.arrival,
           .help = "Open loop: constant (one request every 1/R s) or poisson (exponential gaps of mean 1/R: independent "
                   "users; the default)",
           .choices = {"constant", "poisson"}, .forward = F::if_given});
  cmd.add({.name = "--duration", .target = &o.duration,
           .help = fmt::format("Open loop: seconds of arrivals per repetition (decimal; default {:g}, or --requests N "
                               "arrivals instead)", kDefaultOpenDurationS),
           .type_name = "S", .forward = F::if_given});
  cmd.add({.name = "--replay", .target = &o.replay,
           .help = "Replay a recorded trace: each line that matches a route (or a [[replay.map]] rule of the scenario) "
                   "is sent once at its recorded time (see --speed, or --rate); unmatched and malformed lines are "
                   "counted and listed, never sent",
           .type_name = "FILE", .forward = F::if_given});
  cmd.add({.name = "--replay-format", .target = &o.replay_format,
           .help = "Format of --replay: jsonl (one {\"t\", \"method\", \"path\", \"headers\", \"body\"} object per line) or "
                   "combined (Apache/nginx combined or common access log; whole seconds, each second's requests "
                   "spread over it at seeded uniform offsets) (default: jsonl for *.jsonl, else combined)",
           .choices = {"jsonl", "combined", "common"}, .forward = F::if_given});
  cmd.add({.name = "--speed", .target = &o.speed,
           .help = "With --replay: play the recorded times X times faster (2 = twice as fast; decimal > 0, default 1)",
           .type_name = "X", .forward = F::if_given});
  cmd.add({.name = "--strict", .target = &o.strict,
           .help = "With --replay: a malformed line is an error (exit 2 naming FILE:LINE) instead of being counted",
           .forward = F::if_given});
}

void describe_pipeline_options(Command& cmd, RunOptions& o) {
  using F = Forward;
  cmd.add({.name = "--workers", .target = &o.workers,
           .help = "Executor worker threads (default: scenario or the number of CPUs)", .forward = F::if_given});
  cmd.add({.name = "--future-spin-ns", .target = &o.future_spin_ns,
           .help = "inline-future only: nanoseconds a waiting caller spins before it parks, 0 = park at once "
                   "(default: " + std::to_string(kDefaultFutureSpin.count()) + ")",
           .forward = F::if_given});
  cmd.add({.name = "--subinterp-fallback", .target = &o.subinterp_fallback,
           .help = "With --opt subinterp, a route whose handler cannot be imported in an own-GIL sub-interpreter "
                   "(it imports a single-phase-init extension such as readline): 'fail' the run (exit 2, the default, "
                   "or the scenario's subinterp_fallback) or run that route in the 'main' interpreter; reported either "
                   "way in routes[].interpreter",
           .choices = {"fail", "main"}, .forward = F::if_given});
  cmd.add({.name = "--inject-delay", .target = &o.inject_delay,
           .help = "TESTING AID: busy-wait NS nanoseconds inside stage STAGE of every request (STAGE=NS, e.g. "
                   "dispatch=2000; stages route, dispatch, gil, marshal, handler, future, other), to prove that "
                   "`fasterbench gate` catches a known regression; STAGE=NS/N waits in 1 request in N only (per thread), "
                   "a stall on a fraction of requests. Recorded in the results' config.inject_delay",
           .type_name = "STAGE=NS[/N]", .forward = F::if_given});
  cmd.add({.name = "--inject-work", .target = &o.inject_work,
           .help = "TESTING AID: run N iterations of a loop the compiler cannot remove inside stage STAGE of every "
                   "request (STAGE=N, e.g. marshal=5000; stages as --inject-delay; a few instructions per iteration): "
                   "--inject-delay counted in instructions instead of time, for `--measure instructions`. Not with "
                   "--inject-delay. Recorded in the results' config.inject_work",
           .type_name = "STAGE=N", .forward = F::if_given});
  // phases: handed only to the configurations with lockfree.
  cmd.add({.name = "--wait", .target = &o.wait,
           .help = "How workers wait on the lock-free queue (needs lockfree): spin (pause loop, never sleeps), yield "
                   "(sched_yield loop), park (futex sleep at once), adaptive (spin, then yield, then park; the default)",
           .choices = wait_policy_names()});
  cmd.add({.name = "--demote-budget-us", .target = &o.demote_budget_us,
           .help = "Demotion guard (direct path): a SYNC_FAST handler call longer than this many microseconds "
                   "counts as slow (decimal allowed, default 200)",
           .forward = F::if_given});
  cmd.add({.name = "--demote-after", .target = &o.demote_after,
           .help = "Demotion guard: slow calls in a row after which a SYNC_FAST route is demoted to SYNC_BLOCKING for "
                   "the rest of the configuration's repetitions (integer >= 1, default 3)",
           .forward = F::if_given});
}

void describe_isolation_options(Command& cmd, RunOptions& o, const MeasurementDefaults& d) {
  using F = Forward;
  o.pin = d.pin;
  o.hash_seed = d.hash_seed;
  o.aslr = d.aslr;
  o.env = d.env;
  cmd.add({.name = "--pin", .target = &o.pin,
           .help = "Where the pipeline's threads run: off (the OS decides), shared (clients, workers and event loops "
                   "all on the first CPU of --cpus), split (clients on the first half of --cpus, workers and their "
                   "event loops on the rest; on 2 CPUs one each). Recorded in context.placement and runs[].threads "
                   "(default: " + d.pin + d.pin_why + ")",
           .choices = {"off", "shared", "split"}, .forward = F::always});
  cmd.add({.name = "--cpus", .target = &o.cpus,
           .help = "CPUs to run on, as taskset spells them (e.g. 0-1 or 0,2); each must be in this process's allowed "
                   "set (default: all of it)",
           .type_name = "LIST", .forward = F::always});
  cmd.add({.name = "--hash-seed", .target = &o.hash_seed,
           .help = "Python's str/bytes hash seed (what PYTHONHASHSEED sets): an integer in [0, 4294967295] or random "
                   "(default: " + (d.hash_seed.empty() ? std::string("as PYTHONHASHSEED says, random when unset") : d.hash_seed) + ")",
           .type_name = "N|random", .forward = F::always});
  cmd.add({.name = "--aslr", .target = &o.aslr,
           .help = "Address-space layout randomization: off re-executes the process with personality(ADDR_NO_RANDOMIZE) "
                   "so code, heap and stack sit at the same addresses in every process (default: " + d.aslr + ")",
           .choices = {"on", "off"}, .forward = F::always});
  cmd.add({.name = "--env", .target = &o.env,
           .help = "fixed: run with only the environment variables a run needs, padded so arguments and environment "
                   "take a fixed size (their size moves every stack address); inherit: as started (default: " + d.env + ")",
           .choices = {"inherit", "fixed"}, .forward = F::always});
}

void describe_configuration_options(Command& cmd, RunOptions& o) {
  cmd.add({.name = "--phase", .target = &o.phase,
           .help = "Cumulative phase: P0 baseline, P1 +direct, P2 +lockfree, P3 +subinterp, P4 +inline-future, "
                   "P5 +fast-marshal (beyond the plan)",
           .excludes = {"--opt"}});
  cmd.add({.name = "--opt", .target = &o.opts,
           .help = "Optimizations to switch on, comma-separated: direct,lockfree,subinterp,inline-future,fast-marshal"});
}

void describe_max_error_rate_option(Command& cmd, RunOptions& o, const std::string& default_value) {
  o.max_error_rate = default_value;
  cmd.add({.name = "--max-error-rate", .target = &o.max_error_rate,
           .help = "Fail (exit 1, after writing the results) when more than this fraction of a configuration's measured "
                   "requests end in a 5xx (a handler that raised, a result it could not convert), e.g. 0.01 = 1 %; off: "
                   "no limit. The errors, with the first distinct messages per route, are printed either way (default: " +
                   default_value + ")",
           .type_name = "R|off"});
}

void require_available(const OptimizationSet& opts) {
  if (std::string reason = unavailable_reason(opts); !reason.empty()) {
    throw UsageError(fmt::format("{} is not available: {}", config_label(opts), reason));
  }
}

RunSettings resolve_run_settings(const RunOptions& o, const Scenario& s) {
  RunSettings r;
  const auto cpus = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  r.requests = pick(o.requests, s.load.requests, kDefaultRequests);
  r.warmup = pick(o.warmup, s.load.warmup, kDefaultWarmup);
  r.clients = pick(o.clients, s.load.clients, kDefaultClients);
  r.workers = pick(o.workers, s.load.workers, cpus);
  r.repetitions = pick(o.repetitions, s.load.repetitions, kDefaultRepetitions);
  r.seed = o.seed;
  const std::int64_t future_spin_ns = o.future_spin_ns.value_or(kDefaultFutureSpin.count());
  require(r.requests > 0, "--requests must be > 0, got " + std::to_string(r.requests));
  require(r.warmup >= 0, "--warmup must be >= 0, got " + std::to_string(r.warmup));
  require(r.clients > 0, "--clients must be > 0, got " + std::to_string(r.clients));
  require(r.clients <= 1024, "--clients must be <= 1024, got " + std::to_string(r.clients));
  require(r.workers > 0, "--workers must be > 0, got " + std::to_string(r.workers));
  require(r.workers <= 256, "--workers must be <= 256, got " + std::to_string(r.workers));
  require(r.repetitions > 0, "--repetitions must be > 0, got " + std::to_string(r.repetitions));
  require(future_spin_ns >= 0 && future_spin_ns <= 10'000'000,
          "--future-spin-ns must be in [0, 10000000], got " + std::to_string(future_spin_ns));
  r.future_spin = std::chrono::nanoseconds(future_spin_ns);
  const std::string& fallback = !o.subinterp_fallback.empty() ? o.subinterp_fallback : s.subinterp_fallback;
  if (!fallback.empty()) {
    auto parsed = subinterp_fallback_from_name(fallback);
    require(parsed.has_value(), "--subinterp-fallback must be fail or main, got " + fallback);
    r.subinterp_fallback = *parsed;
  }
  r.opts = resolve_optimizations(o);
  r.wait = resolve_wait(o, r.opts);
  r.demotion = resolve_demotion(o);
  r.delay = resolve_inject_delay(o);
  r.placement = plan_placement(*pin_policy_from_name(o.pin.empty() ? "off" : o.pin), o.cpus);
  r.stamps_ends = o.stamps == "ends";
  r.open = resolve_open_load(o);
  if (r.open && o.requests) r.open->requests = *o.requests;
  r.count_instructions = o.measure == "instructions";
  require(!(r.count_instructions && r.stamps_ends), "--stamps ends measures the clock's cost: not with --measure instructions");
  // An open loop paces requests by the clock, and callgrind runs the process some 50x slower:
  // the rate would be callgrind's, and instruction windows count a closed loop's requests.
  require(!(r.count_instructions && r.open),
          std::string(r.open && r.open->replay ? "--replay" : "--rate") +
              " (an open loop) paces requests by the clock, which callgrind slows about 50x: not with --measure "
              "instructions, which counts a closed loop's requests (give --requests N instead)");
  return r;
}

std::optional<OpenLoad> resolve_open_load(const RunOptions& o) {
  const bool open = !o.rate.empty() || !o.replay.empty();
  if (!open) {
    for (const auto& [name, given] : {std::pair{"--arrival", !o.arrival.empty()}, {"--duration", !o.duration.empty()}}) {
      if (given) throw UsageError(std::string(name) + " applies to an open loop: give --rate R (or --replay FILE --rate R)");
    }
    for (const auto& [name, given] : {std::pair{"--replay-format", !o.replay_format.empty()}, {"--speed", !o.speed.empty()},
                                      {"--strict", o.strict}}) {
      if (given) throw UsageError(std::string(name) + " applies to a replay: give --replay FILE");
    }
    return std::nullopt;
  }
  // Checked here rather than by the parser, so that `phases` hands each child exactly what it was given.
  if (!o.duration.empty() && o.requests) throw UsageError("give --duration S or --requests N, not both");
  if (!o.speed.empty() && !o.rate.empty() && !o.replay.empty()) {
    throw UsageError("give --speed X (the recorded times, faster) or --rate R (a fixed rate), not both");
  }
  OpenLoad load;
  if (!o.rate.empty()) {
    const double rate = parse_decimal(o.rate, "--rate");
    require(rate > 0, "--rate must be > 0 requests per second, got " + o.rate);
    require(rate <= 1e8, "--rate must be at most 1e8 requests per second, got " + o.rate);
    load.rate_rps = rate;
  }
  if (!o.arrival.empty()) load.arrival = *arrival_process_from_name(o.arrival);  // the parser has checked it
  if (!o.duration.empty()) {
    const double d = parse_decimal(o.duration, "--duration");
    require(d > 0 && d <= 86400, "--duration must be in (0, 86400] seconds, got " + o.duration);
    load.duration_s = d;
  }
  if (!o.replay.empty()) {
    ReplaySource replay;
    replay.file = o.replay;
    const bool jsonl_name = o.replay.ends_with(".jsonl") || o.replay.ends_with(".ndjson");
    replay.format = o.replay_format.empty() ? (jsonl_name ? TraceFormat::jsonl : TraceFormat::combined)
                                            : *trace_format_from_name(o.replay_format);
    if (!o.speed.empty()) {
      const double speed = parse_decimal(o.speed, "--speed");
      require(speed > 0 && speed <= 1e6, "--speed must be in (0, 1000000], got " + o.speed);
      replay.speed = speed;
    }
    replay.strict = o.strict;
    if (!load.rate_rps && !o.arrival.empty()) {
      throw UsageError("--arrival applies to a replay at a fixed --rate; the recorded times decide otherwise");
    }
    if (!load.rate_rps && !o.duration.empty()) {
      throw UsageError("--duration does not apply to a replay: the trace's lines decide how long it runs");
    }
    load.replay = std::move(replay);
  } else {
    for (const auto& [name, given] : {std::pair{"--replay-format", !o.replay_format.empty()}, {"--speed", !o.speed.empty()},
                                      {"--strict", o.strict}}) {
      if (given) throw UsageError(std::string(name) + " applies to a replay: give --replay FILE");
    }
    const double arrivals = o.requests ? static_cast<double>(*o.requests) : *load.rate_rps * load.duration_s;
    require(arrivals <= static_cast<double>(kMaxScheduledArrivals),
            fmt::format("--rate {} for {:g} s is {:.0f} arrivals, more than one run holds ({}): shorten --duration",
                        o.rate, load.duration_s, arrivals, kMaxScheduledArrivals));
    require(arrivals >= 1, fmt::format("--rate {} for {:g} s schedules no request: raise --rate or --duration", o.rate,
                                       load.duration_s));
  }
  return load;
}

HygieneRequest resolve_hygiene(const RunOptions& o) {
  HygieneRequest r;
  r.hash_seed = o.hash_seed.empty() ? hash_seed_from_environment() : parse_hash_seed(o.hash_seed, "--hash-seed");
  // Instruction counts repeat only in processes that start alike: a fixed hash seed (0 unless
  // given on the command line or in PYTHONHASHSEED) and no address randomization.
  if (o.measure == "instructions" && r.hash_seed.random && r.hash_seed.source == "default") {
    r.hash_seed = HashSeed{false, 0, "--measure instructions"};
  }
  r.aslr_off = o.aslr == "off" || o.measure == "instructions";
  // And a fixed-size argument + environment block: their size moves the stack, and with it the
  // instruction counts of alignment-dependent code (string compares, copies): without it
  // `--inject-work marshal=5` alone moved `route` by 9 instructions.
  r.fixed_env = o.env == "fixed" || o.measure == "instructions";
  return r;
}

void announce_injection(std::string_view command, const InjectedDelay& d) {
  if (d.ns > 0) {
    const std::string which = d.every > 1 ? "1 request in " + std::to_string(d.every) + " (per thread)" : "every request";
    fmt::print(stderr, "{}: --inject-delay {}: {} busy-waits {} ns in its {} stage (testing aid)\n", command,
               to_string(d), which, d.ns, probes::stage_name(d.stage));
  }
  if (d.work > 0) {
    fmt::print(stderr, "{}: --inject-work {}: every request runs {} iterations of a work loop in its {} stage (testing aid)\n",
               command, work_to_string(d), d.work, probes::stage_name(d.stage));
  }
}

InjectedDelay resolve_inject_delay(const RunOptions& o) {
  if (!o.inject_work.empty()) {
    if (!o.inject_delay.empty()) throw UsageError("--inject-work and --inject-delay: one injected regression at a time");
    try {
      return parse_injected_work(o.inject_work);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--inject-work: ") + e.what());
    }
  }
  if (o.inject_delay.empty()) return {};
  try {
    return parse_injected_delay(o.inject_delay);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--inject-delay: ") + e.what());
  }
}

}  // namespace fb::harness
