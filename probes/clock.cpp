#include "probes/clock.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace fb::probes {
namespace {

ClockCalibration g_calibration;
bool g_calibrated = false;

std::uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

// An invariant TSC ticks at a constant rate in every P/C-state, so differences taken on two
// CPUs are comparable (the kernel also chose it as clocksource when it is trustworthy).
bool tsc_is_invariant() {
#if defined(__x86_64__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos && line.find(" nonstop_tsc") != std::string::npos;
    }
  }
#endif
  return false;
}

// Ticks per ns as the median of several 4 ms windows: a preempted window is an outlier.
double measure_ns_per_tick() {
  std::vector<double> ratios;
  for (int i = 0; i < 5; ++i) {
    const std::uint64_t ns0 = monotonic_ns();
    const Ticks t0 = now_ticks();
    while (monotonic_ns() - ns0 < 4'000'000) {
    }
    const Ticks t1 = now_ticks();
    const std::uint64_t ns1 = monotonic_ns();
    ratios.push_back(static_cast<double>(ns1 - ns0) / static_cast<double>(t1 - t0));
  }
  std::sort(ratios.begin(), ratios.end());
  return ratios[ratios.size() / 2];
}

}  // namespace

const ClockCalibration& calibrate_clock() {
  if (g_calibrated) return g_calibration;
  const char* forced = std::getenv("FASTERBENCH_CLOCK");
  const bool want_portable = forced != nullptr && std::strcmp(forced, "clock_gettime") == 0;
  detail::g_use_tsc = !want_portable && tsc_is_invariant();
  g_calibration.source = detail::g_use_tsc ? "tsc" : "clock_gettime";
  g_calibration.ns_per_tick = detail::g_use_tsc ? measure_ns_per_tick() : 1.0;
  g_calibrated = true;
  return g_calibration;
}

const ClockCalibration& clock_calibration() { return g_calibration; }

}  // namespace fb::probes
