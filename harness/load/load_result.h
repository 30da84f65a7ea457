// What one measured load run produced: merged stage histograms and request accounting.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "probes/alloc_counter.h"
#include "probes/histogram.h"
#include "probes/inproc_recorder.h"

namespace fb::harness {

// A sampled request's in-process view, kept to pair it with the eBPF record of the same id.
struct SampledRequest {
  std::uint64_t request_id = 0;
  probes::StageLatencies latencies;
};

// One scenario route's part of a run (becomes runs[].routes[], results_model.h RouteRun).
struct RouteLoad {
  std::uint64_t requests = 0, server_errors = 0, client_errors = 0;
  // The stages of this route's unsampled measured requests. Kept per route only when the run has
  // several routes; with one, the run's own `stages` are the route's.
  std::unique_ptr<probes::InprocRecorder> stages;
};

// Little's law's left side, sampled while the run went (harness/load/in_flight_sampler.h).
struct InFlightFigures {
  std::uint64_t samples = 0;
  double mean_in_system = 0;  // requests past their intended send time and not answered yet
  double variance = 0;        // of the samples
};

// How an open-loop or replayed run kept its schedule (runs[].load beside the mode).
struct ScheduleOutcome {
  std::uint64_t scheduled = 0;  // arrivals in the schedule
  double window_s = 0;          // the span they cover
  double offered_rps = 0;       // scheduled / window
  // Responses / max(window, time from the start to the last response): equal to offered_rps when
  // the pipeline kept up, lower when it fell behind (the last responses came after the window).
  double achieved_rps = 0;
  std::uint64_t late_sends = 0;        // sent more than late_threshold_ns after their intended time
  std::int64_t late_threshold_ns = 0;  // one mean gap between arrivals
  std::int64_t max_lag_ns = 0;         // largest send - intended
  // `total` as a closed loop would have timed it (arrive -> response ready, or request written ->
  // response read over HTTP), of the same unsampled requests: what the correction changed.
  probes::Histogram uncorrected_total;
  std::int64_t uncorrected_sum_ns = 0;
  InFlightFigures in_flight;
};

struct LoadResult {
  std::unique_ptr<probes::InprocRecorder> stages = std::make_unique<probes::InprocRecorder>();
  std::uint64_t requests = 0;       // measured (warm-up excluded)
  std::uint64_t server_errors = 0;  // status >= 500 (handlers that raised, bad results)
  std::uint64_t client_errors = 0;  // 4xx (unknown paths, wrong methods)
  std::vector<std::uint64_t> per_route;  // measured requests per scenario route
  std::vector<RouteLoad> routes;         // per scenario route, same order
  double duration_s = 0;
  double throughput_rps = 0;
  std::optional<double> steal_pct;  // share of CPU time stolen by the hypervisor during the run; none: unknown
  // C++ operator new calls (and bytes) made by every thread during the measured part, per stage
  // bucket (probes/alloc_counter.h). Empty when the counting operator new is not linked.
  std::optional<probes::AllocTotals> allocations;
  // Requests sampled for the USDT probes (LoadSettings::probe_sample): not in `stages`.
  std::uint64_t sampled_requests = 0;
  std::int64_t probe_sample = 0;  // the 1-in-N the run used (chosen after the warm-up with auto)
  std::unique_ptr<probes::InprocRecorder> sampled_stages = std::make_unique<probes::InprocRecorder>();
  std::vector<SampledRequest> sampled;  // in completion order per client, clients concatenated
  // `total` of the unsampled measured requests per block of consecutive tickets
  // (LoadSettings::blocks); empty when blocks were not asked for.
  std::vector<probes::Histogram> block_totals;
  // "closed" (C clients, one request outstanding each), "open" (a rate schedule) or "replay" (a
  // trace's schedule); the last two have `schedule`.
  std::string mode = "closed";
  std::optional<ScheduleOutcome> schedule;
};

}  // namespace fb::harness
