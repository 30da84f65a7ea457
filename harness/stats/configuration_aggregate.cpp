#include "harness/stats/configuration_aggregate.h"

#include <algorithm>
#include <functional>

#include "harness/placement/placement.h"

namespace fb::harness {
namespace {

Aggregate over(const std::vector<const RunSummary*>& reps, const std::function<double(const RunSummary&)>& get) {
  std::vector<double> v;
  v.reserve(reps.size());
  for (const RunSummary* r : reps) v.push_back(get(*r));
  return aggregate(v);
}

// The median over repetitions, or none when any repetition lacks the value.
std::optional<double> median_of_optional(const std::vector<const RunSummary*>& reps,
                                         const std::function<std::optional<double>(const RunSummary&)>& get) {
  std::vector<double> v;
  for (const RunSummary* r : reps) {
    const std::optional<double> x = get(*r);
    if (!x) return std::nullopt;
    v.push_back(*x);
  }
  return median(v);
}

std::optional<BimodalRepetitions> bimodal_repetitions(const std::vector<const RunSummary*>& reps) {
  std::vector<double> p50s;
  for (const RunSummary* r : reps) p50s.push_back(r->stage(FB_STAGE_TOTAL).p50_ns);
  std::optional<Bimodality> split = find_two_clusters(p50s);
  if (!split) return std::nullopt;
  BimodalRepetitions b;
  b.split = *split;
  for (std::size_t i : split->low.members) {
    b.low.push_back(reps[i]->repetition);
    ++b.low_placements[handoff_placement(reps[i]->threads)];
  }
  for (std::size_t i : split->high.members) {
    b.high.push_back(reps[i]->repetition);
    ++b.high_placements[handoff_placement(reps[i]->threads)];
  }
  return b;
}

ConfigurationAggregate aggregate_one(const std::vector<const RunSummary*>& all) {
  const RunSummary& first = *all.front();
  ConfigurationAggregate a;
  a.config = first.config;
  a.phase = first.phase;
  a.opts = first.opts;
  a.supported = first.supported;
  a.unsupported_reason = first.unsupported_reason;
  if (!a.supported) return a;
  // A crashed repetition has no measurements: the figures are over the others.
  std::vector<const RunSummary*> reps;
  for (const RunSummary* r : all) {
    if (r->measured()) {
      reps.push_back(r);
    } else if (!r->crashed.empty()) {
      if (a.crashed_repetitions++ == 0) a.crashed = r->crashed;
    }
  }
  a.repetitions = reps.size();
  if (reps.empty()) return a;
  a.throughput = over(reps, [](const RunSummary& r) { return r.throughput_rps; });
  a.errors = over(reps, [](const RunSummary& r) { return static_cast<double>(r.errors); });
  a.error_summary = summarize_errors(reps);
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    StageAggregate& st = a.stages[s];
    st.p50 = over(reps, [s](const RunSummary& r) { return r.stages[s].p50_ns; });
    st.p99 = over(reps, [s](const RunSummary& r) { return r.stages[s].p99_ns; });
    st.mean = over(reps, [s](const RunSummary& r) { return r.stages[s].mean_ns; });
    st.count = over(reps, [s](const RunSummary& r) { return static_cast<double>(r.stages[s].count); });
    st.p90_median = over(reps, [s](const RunSummary& r) { return r.stages[s].p90_ns; }).median;
    st.p999_median = over(reps, [s](const RunSummary& r) { return r.stages[s].p999_ns; }).median;
    st.allocations_median = median_of_optional(reps, [s](const RunSummary& r) { return r.stages[s].allocations_per_request; });
  }
  std::vector<std::vector<double>> blocks;
  for (const RunSummary* r : reps) blocks.push_back(r->block_p50s);
  a.noise = noise_budget(blocks);
  a.bimodal = bimodal_repetitions(reps);
  for (const RunSummary* r : reps) a.demotions += r->demotions;
  std::vector<double> steals;
  for (const RunSummary* r : reps) {
    if (r->steal_pct) steals.push_back(*r->steal_pct);
  }
  if (!steals.empty()) a.steal_median = median(steals);
  a.requests = reps.front()->requests;
  a.allocations_median = median_of_optional(reps, [](const RunSummary& r) { return r.allocations_per_request; });
  if (first.routes.size() > 1) a.routes = aggregate_routes(reps);
  if (first.load.offered_rps) {
    ConfigurationAggregate::Load l;
    l.mode = first.load.mode;
    l.offered_rps = over(reps, [](const RunSummary& r) { return r.load.offered_rps.value_or(0.0); }).median;
    l.achieved_rps = over(reps, [](const RunSummary& r) { return r.load.achieved_rps; }).median;
    for (const RunSummary* r : reps) l.saturated_repetitions += r->load.saturated ? 1 : 0;
    a.load = l;
  }
  std::vector<double> totals, floors, ratios;
  for (const RunSummary* r : reps) {
    if (r->call_floor_ns <= 0) continue;
    totals.push_back(r->stage(FB_STAGE_TOTAL).p50_ns);
    floors.push_back(r->call_floor_ns);
    ratios.push_back(totals.back() / floors.back());
  }
  if (!floors.empty()) a.call_floor = ConfigurationAggregate::CallFloor{median(totals), median(floors), median(ratios)};
  return a;
}

}  // namespace

std::vector<ConfigurationAggregate> aggregate_configurations(const std::vector<RunSummary>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunSummary*>> by_config;
  for (const RunSummary& r : runs) {
    if (!by_config.contains(r.config)) order.push_back(r.config);
    by_config[r.config].push_back(&r);
  }
  std::vector<ConfigurationAggregate> out;
  out.reserve(order.size());
  for (const std::string& config : order) out.push_back(aggregate_one(by_config[config]));
  return out;
}

std::size_t mark_error_rate_limit(std::vector<ConfigurationAggregate>& aggregates, std::optional<double> max_error_rate) {
  std::size_t marked = 0;
  for (ConfigurationAggregate& a : aggregates) {
    a.error_summary.over_limit = a.measured() && exceeds_error_rate(a.error_summary, max_error_rate);
    if (a.error_summary.over_limit) ++marked;
  }
  return marked;
}

}  // namespace fb::harness
