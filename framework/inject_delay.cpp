#include "framework/inject_delay.h"

#include <charconv>
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

}  // namespace

InjectedDelay parse_injected_delay(std::string_view spec) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    throw std::invalid_argument("expected STAGE=NS, e.g. dispatch=2000, got '" + std::string(spec) + "'");
  }
  const std::string_view name = spec.substr(0, eq);
  const auto stage = probes::stage_from_name(name);
  if (!stage || *stage == FB_STAGE_TOTAL || *stage == FB_STAGE_RECV || *stage == FB_STAGE_SEND ||
      *stage == FB_STAGE_QUEUE) {
    throw std::invalid_argument("unknown stage '" + std::string(name) + "' (accepted: " + kAccepted + ")");
  }
  std::uint32_t every = 1;
  std::string_view number = spec.substr(eq + 1);
  if (const std::size_t slash = number.find('/'); slash != std::string_view::npos) {
    const std::string_view n = number.substr(slash + 1);
    const auto [n_end, n_ec] = std::from_chars(n.data(), n.data() + n.size(), every);
    if (n_ec != std::errc() || n_end != n.data() + n.size() || n.empty() || every < 1 || every > 1'000'000) {
      throw std::invalid_argument("1 in N: '" + std::string(n) + "' is not a whole number in [1, 1000000]");
    }
    number = number.substr(0, slash);
  }
  std::uint64_t ns = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), ns);
  if (ec != std::errc() || end != number.data() + number.size() || number.empty() || ns > kMaxInjectedDelayNs) {
    throw std::invalid_argument("delay '" + std::string(number) + "' is not a whole number of nanoseconds in [0, " +
                                std::to_string(kMaxInjectedDelayNs) + "]");
  }
  return {*stage, static_cast<std::uint32_t>(ns), every};
}

std::string to_string(const InjectedDelay& delay) {
  if (!delay.active()) return "";
  return std::string(probes::stage_name(delay.stage)) + "=" + std::to_string(delay.ns) +
         (delay.every > 1 ? "/" + std::to_string(delay.every) : "");
}

std::uint32_t next_injection_count() noexcept {
  thread_local std::uint32_t count = 0;
  return ++count;
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
