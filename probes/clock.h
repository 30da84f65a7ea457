// The in-process stage clock: a calibrated cheap monotonic clock.
//
// On x86-64 with an invariant TSC (cpuinfo flags constant_tsc + nonstop_tsc) a stamp is one
// RDTSC (~10-25 ns on these VMs); elsewhere it is vDSO clock_gettime(CLOCK_MONOTONIC).
// Stamps are raw ticks; ClockCalibration turns tick differences into nanoseconds, so the hot
// path never multiplies or divides.
#pragma once

#include <cstdint>
#include <string>
#include <time.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace fb::probes {

using Ticks = std::uint64_t;

namespace detail {
// Chosen once by calibrate_clock() before any thread stamps; read-only afterwards.
inline bool g_use_tsc = false;
}  // namespace detail

inline Ticks now_ticks() noexcept {
#if defined(__x86_64__)
  if (detail::g_use_tsc) return __rdtsc();
#endif
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Ticks>(ts.tv_sec) * 1'000'000'000ull + static_cast<Ticks>(ts.tv_nsec);
}

struct ClockCalibration {
  std::string source;         // "tsc" or "clock_gettime"
  double ns_per_tick = 1.0;   // measured against CLOCK_MONOTONIC

  std::uint64_t to_ns(Ticks ticks) const noexcept {
    return static_cast<std::uint64_t>(static_cast<double>(ticks) * ns_per_tick + 0.5);
  }
};

// Chooses the clock source and measures ticks per nanosecond (~20 ms). Call once, before
// starting threads that stamp. FASTERBENCH_CLOCK=clock_gettime forces the portable source.
const ClockCalibration& calibrate_clock();

// The calibration made by calibrate_clock() (which must have run).
const ClockCalibration& clock_calibration();

}  // namespace fb::probes
