#include "harness/text/findings.h"

#include <fmt/format.h>

#include "harness/text/units.h"

namespace fb::harness {
namespace {

std::string placements_text(const std::map<std::string, int>& placements, std::size_t of) {
  std::string out;
  for (const auto& [where, n] : placements) out += fmt::format("{}{} in {} of {}", out.empty() ? "" : ", ", where, n, of);
  return out;
}

}  // namespace

std::string describe_bimodality(const std::string& config, const BimodalRepetitions& b) {
  return fmt::format(
      "{}: {} repetitions at {}, {} at {} (+{:.0f} %): two populations, the median describes neither; hand-offs: fast "
      "ones {}; slow ones {}",
      config, b.low.size(), format_ns(b.split.low.median), b.high.size(), format_ns(b.split.high.median),
      b.split.separation * 100, placements_text(b.low_placements, b.low.size()),
      placements_text(b.high_placements, b.high.size()));
}

}  // namespace fb::harness
