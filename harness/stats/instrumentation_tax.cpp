#include "harness/stats/instrumentation_tax.h"

#include <map>

namespace fb::harness {

std::vector<InstrumentationTax> instrumentation_tax(const std::vector<RunSummary>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> total_p50s;  // by configuration label
  for (const RunSummary& r : runs) {
    if (!r.measured()) continue;
    if (!total_p50s.contains(r.config)) order.push_back(r.config);
    total_p50s[r.config].push_back(r.stage(FB_STAGE_TOTAL).p50_ns);
  }
  std::vector<InstrumentationTax> out;
  const std::string suffix = kEndsSuffix;
  for (const std::string& config : order) {
    if (config.ends_with(suffix)) continue;
    const auto ends = total_p50s.find(config + suffix);
    if (ends == total_p50s.end()) continue;
    const std::vector<double>& all = total_p50s[config];
    out.push_back({config, all.size(), ends->second.size(), median(all), median(ends->second), saving(all, ends->second)});
  }
  return out;
}

}  // namespace fb::harness
