#include "harness/stats/sweep_rule.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

std::optional<double> baseline_p99(const std::vector<SweepStep>& steps) {
  if (steps.empty()) return std::nullopt;
  return steps.front().p99_ns;
}

std::optional<double> best_p99(const std::vector<SweepStep>& steps) {
  std::optional<double> best;
  for (const SweepStep& s : steps) {
    if (!s.saturated() && (!best || s.p99_ns < *best)) best = s.p99_ns;
  }
  return best;
}

bool judge_step(const std::vector<SweepStep>& earlier, SweepStep& step) {
  const std::optional<double> baseline = baseline_p99(earlier);
  step.latency_saturated = baseline && *baseline > 0 && step.p99_ns > kSweepStopMultiple * *baseline;
  return step.saturated();
}

std::optional<std::size_t> knee_step(const std::vector<SweepStep>& steps) {
  const std::optional<double> best = best_p99(steps);
  std::optional<std::size_t> knee;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].saturated()) break;
    if (steps[i].p99_ns <= kKneeMultiple * *best) knee = i;
  }
  return knee;
}

SweepRates parse_sweep_rates(const std::string& text) {
  SweepRates out;
  if (text == "auto") {
    out.automatic = true;
    return out;
  }
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      if (c != ' ') item += c;
      continue;
    }
    if (item.empty()) throw UsageError("--rates: empty item in '" + text + "' (give R1,R2,... or auto)");
    errno = 0;
    char* end = nullptr;
    const double rate = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0' || errno != 0 || !std::isfinite(rate)) {
      throw UsageError("--rates: '" + item + "' is not a number (give requests per second, e.g. 1000,2000, or auto)");
    }
    if (rate <= 0) throw UsageError("--rates: '" + item + "' is not a rate > 0 requests per second");
    out.rates.push_back(rate);
    item.clear();
  }
  std::sort(out.rates.begin(), out.rates.end());
  out.rates.erase(std::unique(out.rates.begin(), out.rates.end()), out.rates.end());
  return out;
}

std::vector<double> automatic_rates(double cap) {
  std::vector<double> rates;
  for (double r = kAutoFirstRate; r <= cap; r *= 2) rates.push_back(r);
  return rates;
}

}  // namespace fb::harness
