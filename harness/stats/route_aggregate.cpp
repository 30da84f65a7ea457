#include "harness/stats/route_aggregate.h"

#include "harness/stats/aggregate.h"

namespace fb::harness {

std::vector<RouteAggregate> aggregate_routes(const std::vector<const RunSummary*>& runs) {
  std::vector<RouteAggregate> out;
  if (runs.empty()) return out;
  const std::size_t routes = runs.front()->routes.size();
  double all = 0;
  for (std::size_t r = 0; r < routes; ++r) {
    RouteAggregate a;
    const RouteSummary& first = runs.front()->routes[r];
    a.route = first.route;
    a.method = first.method;
    a.path = first.path;
    auto over = [&](auto field) {
      std::vector<double> v;
      for (const RunSummary* run : runs) {
        if (r < run->routes.size()) v.push_back(field(run->routes[r]));
      }
      return v.empty() ? 0.0 : median(v);
    };
    a.requests = over([](const RouteSummary& x) { return static_cast<double>(x.requests); });
    a.errors = over([](const RouteSummary& x) { return static_cast<double>(x.errors); });
    a.client_errors = over([](const RouteSummary& x) { return static_cast<double>(x.client_errors); });
    for (std::size_t s = 0; s < probes::kStageCount; ++s) {
      a.stages[s].count = over([s](const RouteSummary& x) { return static_cast<double>(x.stages[s].count); });
      a.stages[s].p50_ns = over([s](const RouteSummary& x) { return x.stages[s].p50_ns; });
      a.stages[s].p99_ns = over([s](const RouteSummary& x) { return x.stages[s].p99_ns; });
      a.stages[s].mean_ns = over([s](const RouteSummary& x) { return x.stages[s].mean_ns; });
    }
    all += a.requests;
    out.push_back(std::move(a));
  }
  for (RouteAggregate& a : out) a.share = all > 0 ? a.requests / all : 0;
  return out;
}

}  // namespace fb::harness
