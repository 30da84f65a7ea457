#include "harness/results/statistics_json.h"

#include <cmath>
#include <string>

#include "harness/text/findings.h"

namespace fb::harness {
namespace {

using nlohmann::json;

json aggregate_json(const Aggregate& a) {
  return {{"n", a.n}, {"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high},
          {"min", a.min}, {"max", a.max}, {"spread_pct", a.spread_pct}};
}

json ci_json(const Aggregate& a) { return {{"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high}}; }

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// aggregates[].noise: between repetitions = between processes under `phases`, which runs each
// repetition in its own.
json noise_json(const NoiseBudget& n) {
  return {{"repetitions", n.processes}, {"blocks_per_repetition", n.blocks}, {"within_pct", optional_json(n.within_pct)},
          {"between_pct", optional_json(n.between_pct)}, {"between_share", optional_json(n.between_share)}};
}

// aggregates[].bimodal: null, or the two clusters of total p50 with where each had its threads.
json bimodal_json(const std::string& config, const std::optional<BimodalRepetitions>& b) {
  if (!b) return nullptr;
  auto cluster = [](const std::vector<int>& repetitions, const Cluster& c, const std::map<std::string, int>& placements) {
    return json{{"repetitions", repetitions}, {"median_ns", c.median}, {"placements", placements}};
  };
  return {{"low", cluster(b->low, b->split.low, b->low_placements)},
          {"high", cluster(b->high, b->split.high, b->high_placements)},
          {"ashman_d", std::isfinite(b->split.ashman_d) ? json(b->split.ashman_d) : json(nullptr)},
          {"separation_pct", b->split.separation * 100},
          {"message", describe_bimodality(config, *b)}};
}

// aggregates[].route_errors: per route with errors, over the repetitions.
json route_errors_json(const std::vector<RouteErrorSummary>& routes) {
  json out = json::array();
  for (const RouteErrorSummary& r : routes) {
    json messages = json::array();
    for (const ErrorMessage& m : r.messages) {
      messages.push_back({{"type", m.type}, {"message", m.message}, {"handler", m.handler}, {"count", m.count}});
    }
    out.push_back({{"route", r.route}, {"method", r.method}, {"path", r.path}, {"requests", r.requests},
                   {"errors", r.errors}, {"messages", std::move(messages)}});
  }
  return out;
}

}  // namespace

namespace {

// aggregates[].routes: each route's medians over the repetitions (stats/route_aggregate.h).
json routes_json(const std::vector<RouteAggregate>& routes) {
  json out = json::array();
  for (const RouteAggregate& r : routes) {
    json stages = json::object();
    for (std::size_t s = 0; s < probes::kStageCount; ++s) {
      const RouteStageMedians& m = r.stages[s];
      stages[std::string(probes::kStageNames[s])] = {
          {"count", m.count}, {"p50_ns", m.p50_ns}, {"p99_ns", m.p99_ns}, {"mean_ns", m.mean_ns}};
    }
    out.push_back({{"route", r.route},
                   {"method", r.method},
                   {"path", r.path},
                   {"requests", r.requests},
                   {"share", r.share},
                   {"errors", r.errors},
                   {"client_errors", r.client_errors},
                   {"stages", std::move(stages)}});
  }
  return out;
}

}  // namespace

json aggregates_to_json(const std::vector<ConfigurationAggregate>& aggregates) {
  json out = json::array();
  for (const ConfigurationAggregate& a : aggregates) {
    json j = {{"config", a.config},
              {"phase", a.phase ? json(*a.phase) : json(nullptr)},
              {"opts", a.opts},
              {"supported", a.supported},
              {"unsupported_reason", a.unsupported_reason},
              {"repetitions", a.repetitions}};
    if (a.crashed_repetitions > 0) {
      j["crashed_repetitions"] = a.crashed_repetitions;
      j["crashed"] = a.crashed;
    }
    if (!a.measured()) {
      j["stages"] = json::object();
      out.push_back(std::move(j));
      continue;
    }
    j["throughput_rps"] = aggregate_json(a.throughput);
    j["errors"] = aggregate_json(a.errors);
    j["error_rate"] = a.error_summary.rate;
    j["error_rate_exceeded"] = a.error_summary.over_limit;
    j["route_errors"] = route_errors_json(a.error_summary.routes);
    json stages = json::object();
    for (std::size_t s = 0; s < probes::kStageCount; ++s) {
      const StageAggregate& st = a.stages[s];
      stages[std::string(probes::kStageNames[s])] = {{"p50_ns", aggregate_json(st.p50)},
                                                      {"p99_ns", aggregate_json(st.p99)},
                                                      {"mean_ns", aggregate_json(st.mean)},
                                                      {"count", aggregate_json(st.count)}};
    }
    j["stages"] = std::move(stages);
    j["noise"] = noise_json(a.noise);
    j["bimodal"] = bimodal_json(a.config, a.bimodal);
    if (!a.routes.empty()) j["routes"] = routes_json(a.routes);
    if (a.load) {
      j["load"] = {{"mode", a.load->mode},
                   {"offered_rps", a.load->offered_rps},
                   {"achieved_rps", a.load->achieved_rps},
                   {"saturated_repetitions", a.load->saturated_repetitions}};
    }
    out.push_back(std::move(j));
  }
  return out;
}

json ablation_to_json(const std::vector<AblationEntry>& entries) {
  json out = json::array();
  for (const AblationEntry& e : entries) {
    out.push_back({{"optimization", e.optimization},
                   {"alone_saving_ns", ci_json(e.alone.absolute)},
                   {"alone_saving_pct", ci_json(e.alone.percent)},
                   {"leave_out_saving_ns", ci_json(e.left_out.absolute)},
                   {"leave_out_saving_pct", ci_json(e.left_out.percent)}});
  }
  return out;
}

json instrumentation_tax_to_json(const std::vector<InstrumentationTax>& taxes) {
  json out = json::array();
  for (const InstrumentationTax& t : taxes) {
    out.push_back({{"config", t.config},
                   {"repetitions", {t.repetitions_all, t.repetitions_ends}},
                   {"total_p50_ns", {{"all", t.total_p50_all}, {"ends", t.total_p50_ends}}},
                   {"tax_ns", ci_json(t.tax.absolute)},
                   {"tax_pct", ci_json(t.tax.percent)}});
  }
  return out;
}

}  // namespace fb::harness
