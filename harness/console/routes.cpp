#include "harness/console/routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "harness/text/units.h"

namespace fb::harness {
namespace {

using Row = std::vector<std::string>;

// Left-aligned columns as wide as their widest cell; the last column is not padded.
void print_rows(const std::vector<Row>& rows, std::FILE* out) {
  std::vector<std::size_t> width;
  for (const Row& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    fmt::print(out, "{}\n", line);
  }
}

}  // namespace

const char* where_it_runs(HandlerKind kind, const OptimizationSet& opts) {
  switch (kind) {
    case HandlerKind::sync_fast: return opts.direct ? "calling thread" : "executor";
    case HandlerKind::sync_blocking: return "executor";
    case HandlerKind::async: return "worker event loop";
  }
  return "?";
}

void print_route_explanation(const Scenario& scenario, const std::vector<RouteInfo>& routes,
                             const OptimizationSet& opts, std::FILE* out) {
  fmt::print(out, "routes of {} ({}), classified at registration; runs on = under {}\n", scenario.name, scenario.file,
             config_label(opts));
  std::vector<Row> rows{{"method", "path", "handler", "kind", "runs on", "reason"}};
  for (std::size_t i = 0; i < routes.size() && i < scenario.routes.size(); ++i) {
    const ScenarioRoute& r = scenario.routes[i];
    rows.push_back({r.method, r.path, r.handler, std::string(kind_name(routes[i].kind)), where_it_runs(routes[i].kind, opts),
                    routes[i].reason});
  }
  print_rows(rows, out);
}

void print_route_summary(const std::vector<RouteRecord>& routes, std::FILE* out) {
  if (routes.empty()) return;
  fmt::print(out, "\nroutes (kind at registration; demotions over all runs; reasons: --explain-routes)\n");
  std::vector<Row> rows{{"method", "path", "handler", "kind", "demotions"}};
  for (const RouteRecord& r : routes) {
    rows.push_back({r.method, r.path, r.handler, r.kind, format_count(static_cast<double>(r.demotions))});
  }
  print_rows(rows, out);
}

}  // namespace fb::harness
