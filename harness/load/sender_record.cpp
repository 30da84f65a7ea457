#include "harness/load/sender_record.h"

#include <algorithm>

namespace fb::harness {

SenderRecord::SenderRecord(std::size_t route_count, std::int64_t blocks)
    : routes(route_count), block_totals(static_cast<std::size_t>(std::max<std::int64_t>(0, blocks))) {}

void SenderRecord::count(std::size_t route, int status) {
  ++requests;
  RouteLoad& r = routes[route];
  ++r.requests;
  if (status >= 500) {
    ++server_errors;
    ++r.server_errors;
  } else if (status >= 400) {
    ++client_errors;
    ++r.client_errors;
  }
}

void SenderRecord::record(const probes::StageLatencies& latencies, std::size_t route, int status, std::int64_t block,
                          std::int64_t uncorrected_total_ns) {
  recorder.record(latencies);
  if (routes.size() > 1) {
    // Usually made during the warm-up (prepare_route); a route the warm-up never sent gets its
    // recorder on its first measured request.
    if (!routes[route].stages) routes[route].stages = std::make_unique<probes::InprocRecorder>();
    routes[route].stages->record(latencies);
  }
  if (block >= 0 && latencies.present[FB_STAGE_TOTAL]) {
    block_totals[static_cast<std::size_t>(block)].record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, latencies.ns[FB_STAGE_TOTAL])));
  }
  if (uncorrected_total_ns >= 0) {
    uncorrected_total.record(static_cast<std::uint64_t>(uncorrected_total_ns));
    uncorrected_sum_ns += uncorrected_total_ns;
  }
  count(route, status);
}

void SenderRecord::record_sampled(std::uint64_t request_id, const probes::StageLatencies& latencies, std::size_t route,
                                  int status) {
  sampled_recorder->record(latencies);
  sampled.push_back({request_id, latencies});
  count(route, status);
}

void SenderRecord::prepare_route(std::size_t route) {
  if (routes.size() > 1 && !routes[route].stages) routes[route].stages = std::make_unique<probes::InprocRecorder>();
}

void merge_senders(const std::vector<const SenderRecord*>& senders, LoadResult& result) {
  if (senders.empty()) return;
  const std::size_t route_count = senders.front()->routes.size();
  result.per_route.assign(route_count, 0);
  result.routes.clear();
  result.routes.resize(route_count);
  result.block_totals.resize(senders.front()->block_totals.size());
  for (const auto& s : senders) {
    result.stages->merge(s->recorder);
    if (s->sampled_recorder) result.sampled_stages->merge(*s->sampled_recorder);
    result.sampled_requests += s->sampled.size();
    result.sampled.insert(result.sampled.end(), s->sampled.begin(), s->sampled.end());
    result.requests += s->requests;
    result.server_errors += s->server_errors;
    result.client_errors += s->client_errors;
    for (std::size_t b = 0; b < result.block_totals.size(); ++b) result.block_totals[b].merge(s->block_totals[b]);
    for (std::size_t r = 0; r < route_count; ++r) {
      const RouteLoad& from = s->routes[r];
      RouteLoad& to = result.routes[r];
      to.requests += from.requests;
      to.server_errors += from.server_errors;
      to.client_errors += from.client_errors;
      if (from.stages) {
        if (!to.stages) to.stages = std::make_unique<probes::InprocRecorder>();
        to.stages->merge(*from.stages);
      }
      result.per_route[r] += from.requests;
    }
    if (result.schedule) {
      result.schedule->uncorrected_total.merge(s->uncorrected_total);
      result.schedule->uncorrected_sum_ns += s->uncorrected_sum_ns;
    }
  }
  // One route: its stages are the run's.
  if (route_count == 1) {
    result.routes[0].stages = std::make_unique<probes::InprocRecorder>();
    result.routes[0].stages->merge(*result.stages);
  }
}

}  // namespace fb::harness
