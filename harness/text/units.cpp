#include "harness/text/units.h"

#include <fmt/format.h>

#include <cmath>

namespace fb::harness {

std::string format_ns(double ns) {
  const double a = std::abs(ns);
  if (a < 1e3) return fmt::format("{:.0f} ns", ns);
  if (a < 1e6) return fmt::format("{:.2f} µs", ns / 1e3);
  if (a < 1e9) return fmt::format("{:.2f} ms", ns / 1e6);
  return fmt::format("{:.2f} s", ns / 1e9);
}

std::string format_count(double value) {
  std::string digits = fmt::format("{:.0f}", std::abs(value));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace fb::harness
