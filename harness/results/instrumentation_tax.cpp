#include "harness/results/instrumentation_tax.h"

#include <map>
#include <string>
#include <vector>

#include "harness/stats/aggregate.h"

namespace fb::harness {
namespace {

using nlohmann::json;

json ci_json(const Aggregate& a) { return {{"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high}}; }

}  // namespace

json instrumentation_tax_from_runs(const json& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> total_p50s;  // by config label
  for (const json& r : runs) {
    if (!r.at("supported").get<bool>()) continue;
    const std::string config = r.at("config").get<std::string>();
    if (!total_p50s.contains(config)) order.push_back(config);
    total_p50s[config].push_back(r.at("stages").at("total").at("p50_ns").get<double>());
  }
  json out = json::array();
  const std::string suffix = kEndsSuffix;
  for (const std::string& config : order) {
    if (config.ends_with(suffix)) continue;
    const auto ends = total_p50s.find(config + suffix);
    if (ends == total_p50s.end()) continue;
    const std::vector<double>& all = total_p50s[config];
    const Saving tax = saving(all, ends->second);
    out.push_back({{"config", config},
                   {"repetitions", {all.size(), ends->second.size()}},
                   {"total_p50_ns", {{"all", median(all)}, {"ends", median(ends->second)}}},
                   {"tax_ns", ci_json(tax.absolute)},
                   {"tax_pct", ci_json(tax.percent)}});
  }
  return out;
}

}  // namespace fb::harness
