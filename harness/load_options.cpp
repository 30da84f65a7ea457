#include "harness/load_options.h"

#include <thread>

#include "framework/app.h"
#include "harness/exit_codes.h"

namespace fb::harness {

void add_load_options(CLI::App& cmd, LoadOptions& o, std::int64_t default_repetitions) {
  cmd.add_option("--scenario", o.scenario, "Scenario file (TOML), e.g. scenarios/hello.toml")->required();
  cmd.add_option("--requests", o.requests, "Measured requests per repetition (default: scenario [load] or 100000)");
  cmd.add_option("--warmup", o.warmup, "Requests sent before measuring, not recorded (default: scenario or 10000)");
  cmd.add_option("--clients", o.clients, "Closed-loop clients, each with one request outstanding (default: scenario or 1)");
  cmd.add_option("--workers", o.workers, "Executor worker threads (default: scenario or the number of CPUs)");
  cmd.add_option("--repetitions", o.repetitions,
                 "Repetitions of each configuration (default: scenario or " + std::to_string(default_repetitions) + ")");
  cmd.add_option("--seed", o.seed, "Seed of the request mix's random draws (default: 1)");
  cmd.add_option("--future-spin-ns", o.future_spin_ns,
                 "inline-future only: nanoseconds a waiting caller spins before it parks, 0 = park at once "
                 "(default: " + std::to_string(kDefaultFutureSpin.count()) + ")");
  cmd.add_flag("--no-progress", o.no_progress, "Do not draw a progress bar on stderr");
  cmd.add_option("--subinterp-fallback", o.subinterp_fallback,
                 "With --opt subinterp, a route whose handler cannot be imported in an own-GIL sub-interpreter "
                 "(it imports a single-phase-init extension such as readline): 'fail' the run (exit 2, the default, "
                 "or the scenario's subinterp_fallback) or run that route in the 'main' interpreter; reported either "
                 "way in routes[].interpreter")
      ->check(CLI::IsMember({"fail", "main"}));
  cmd.add_option("--inject-delay", o.inject_delay,
                 "TESTING AID: busy-wait NS nanoseconds inside stage STAGE of every request (STAGE=NS, e.g. "
                 "dispatch=2000; stages route, dispatch, gil, marshal, handler, future, other), to prove that "
                 "`fasterbench gate` catches a known regression. Recorded in the results' config.inject_delay")
      ->type_name("STAGE=NS");
}

namespace {

std::int64_t pick(const std::optional<std::int64_t>& cli, const std::optional<std::int64_t>& scenario, std::int64_t fallback) {
  return cli ? *cli : scenario ? *scenario : fallback;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

}  // namespace

ResolvedLoad resolve_load(const LoadOptions& o, const Scenario& s) {
  const auto cpus = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  ResolvedLoad r{pick(o.requests, s.load.requests, kDefaultRequests), pick(o.warmup, s.load.warmup, kDefaultWarmup),
                 pick(o.clients, s.load.clients, kDefaultClients), pick(o.workers, s.load.workers, cpus),
                 pick(o.repetitions, s.load.repetitions, kDefaultRepetitions), o.seed,
                 o.future_spin_ns.value_or(kDefaultFutureSpin.count())};
  require(r.requests > 0, "--requests must be > 0, got " + std::to_string(r.requests));
  require(r.warmup >= 0, "--warmup must be >= 0, got " + std::to_string(r.warmup));
  require(r.clients > 0, "--clients must be > 0, got " + std::to_string(r.clients));
  require(r.clients <= 1024, "--clients must be <= 1024, got " + std::to_string(r.clients));
  require(r.workers > 0, "--workers must be > 0, got " + std::to_string(r.workers));
  require(r.workers <= 256, "--workers must be <= 256, got " + std::to_string(r.workers));
  require(r.repetitions > 0, "--repetitions must be > 0, got " + std::to_string(r.repetitions));
  require(r.future_spin_ns >= 0 && r.future_spin_ns <= 10'000'000,
          "--future-spin-ns must be in [0, 10000000], got " + std::to_string(r.future_spin_ns));
  const std::string& fallback = !o.subinterp_fallback.empty() ? o.subinterp_fallback : s.subinterp_fallback;
  if (!fallback.empty()) {
    auto parsed = subinterp_fallback_from_name(fallback);
    require(parsed.has_value(), "--subinterp-fallback must be fail or main, got " + fallback);
    r.subinterp_fallback = *parsed;
  }
  return r;
}

InjectedDelay resolve_inject_delay(const LoadOptions& o) {
  if (o.inject_delay.empty()) return {};
  try {
    return parse_injected_delay(o.inject_delay);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--inject-delay: ") + e.what());
  }
}

}  // namespace fb::harness
