#include "framework/inject_delay.h"

#include <charconv>
#include <utility>
#include <stdexcept>
#include <time.h>

#include "probes/stage_names.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace fb {
namespace {

const char* kAccepted = "route, dispatch, gil, marshal, handler, future, other";

std::uint64_t monotonic_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// "STAGE=N": the stage (one a regression can be injected into) and N in [0, max].
std::pair<fb_stage, std::uint32_t> parse_stage_amount(std::string_view spec, std::string_view example,
                                                      std::string_view what, std::string_view unit,
                                                      std::uint32_t max) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    throw std::invalid_argument("expected " + std::string(example) + ", got '" + std::string(spec) + "'");
  }
  const std::string_view name = spec.substr(0, eq);
  const auto stage = probes::stage_from_name(name);
  if (!stage || *stage == FB_STAGE_TOTAL || *stage == FB_STAGE_RECV || *stage == FB_STAGE_SEND ||
      *stage == FB_STAGE_QUEUE) {
    throw std::invalid_argument("unknown stage '" + std::string(name) + "' (accepted: " + kAccepted + ")");
  }
  const std::string_view number = spec.substr(eq + 1);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (ec != std::errc() || end != number.data() + number.size() || number.empty() || n > max) {
    throw std::invalid_argument(std::string(what) + " '" + std::string(number) + "' is not a whole number of " +
                                std::string(unit) + " in [0, " +
                                std::to_string(max) + "]");
  }
  return {*stage, static_cast<std::uint32_t>(n)};
}

}  // namespace

InjectedDelay parse_injected_delay(std::string_view spec) {
  // "STAGE=NS/N": the 1-in-N suffix is the delay's own; "STAGE=NS" is parsed as for work.
  const std::size_t eq = spec.find('=');
  const std::size_t slash = eq == std::string_view::npos ? std::string_view::npos : spec.find('/', eq);
  const auto [stage, ns] = parse_stage_amount(spec.substr(0, slash), "STAGE=NS, e.g. dispatch=2000", "delay",
                                              "nanoseconds", kMaxInjectedDelayNs);
  std::uint32_t every = 1;
  if (slash != std::string_view::npos) {
    const std::string_view n = spec.substr(slash + 1);
    const auto [n_end, n_ec] = std::from_chars(n.data(), n.data() + n.size(), every);
    if (n_ec != std::errc() || n_end != n.data() + n.size() || n.empty() || every < 1 || every > 1'000'000) {
      throw std::invalid_argument("1 in N: '" + std::string(n) + "' is not a whole number in [1, 1000000]");
    }
  }
  return {.stage = stage, .ns = ns, .every = every};
}

InjectedDelay parse_injected_work(std::string_view spec) {
  const auto [stage, n] = parse_stage_amount(spec, "STAGE=N, e.g. marshal=5000", "work", "iterations", kMaxInjectedWork);
  return {.stage = stage, .work = n};
}

std::string to_string(const InjectedDelay& delay) {
  if (!delay.active() || delay.ns == 0) return "";
  return std::string(probes::stage_name(delay.stage)) + "=" + std::to_string(delay.ns) +
         (delay.every > 1 ? "/" + std::to_string(delay.every) : "");
}

std::uint32_t next_injection_count() noexcept {
  thread_local std::uint32_t count = 0;
  return ++count;
}

std::string work_to_string(const InjectedDelay& delay) {
  if (!delay.active() || delay.work == 0) return "";
  return std::string(probes::stage_name(delay.stage)) + "=" + std::to_string(delay.work);
}

std::uint64_t run_injected_work(std::uint32_t iterations) noexcept {
  std::uint64_t x = iterations;
  for (std::uint32_t i = 0; i < iterations; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;  // Knuth's MMIX LCG
    asm volatile("" : "+r"(x));  // the compiler must assume x is used: the loop stays
  }
  return x;
}

void busy_wait_ns(std::uint32_t ns) noexcept {
  const std::uint64_t until = monotonic_ns() + ns;
  while (monotonic_ns() < until) {
#if defined(__x86_64__)
    _mm_pause();
#endif
  }
}

}  // namespace fb
