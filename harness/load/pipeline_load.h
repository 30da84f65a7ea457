// Load on the pipeline in this process: C client threads calling App::handle, in one of two
// schedules.
//
// Closed loop (run_closed_loop): each client has one request outstanding and sends the next as
// soon as the previous response is in, drawing routes from the scenario's mix, until a shared
// request budget is used. It measures latency at whatever rate the pipeline lets itself be
// driven, and hides queueing: a slow request delays the next one's send.
//
// Open loop (run_open_loop): the clients are senders sharing one ArrivalSchedule (a rate, or a
// replayed trace); each request leaves at its intended time whatever happened before, and its
// latency is measured from that time (`queue` + the pipeline, harness/load/schedule_pacer.h).
//
// Both: the first `warmup` requests (all clients together, sent back to back) are not recorded; a
// barrier separates them from the measured part so that the measured wall time covers only
// measured requests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "framework/app.h"
#include "harness/load/arrival_schedule.h"
#include "harness/load/load_result.h"
#include "harness/load/request_mix.h"
#include "harness/load/request_table.h"

namespace fb::harness {

// What the warm-up requests cost, for choosing the probe sampling before the measured part.
struct WarmupSummary {
  std::uint64_t requests = 0;
  double mean_total_ns = 0;  // mean `total` per request
  double mean_points = 0;    // mean stage points a request reached
};

struct LoadSettings {
  std::int64_t requests = 0;  // closed loop: the budget; open loop: the schedule's arrivals decide
  std::int64_t warmup = 0;
  std::int64_t clients = 1;
  std::uint64_t seed = 1;
  // 1 measured request in `probe_sample` (by ticket: tickets 0, N, 2N, ...) is sampled: it fires
  // the USDT stage probes and is recorded in LoadResult::sampled_stages instead of `stages`, so
  // the probes' cost never reaches the main histograms. 0: none. Warm-up is never sampled. A
  // sampled request is timed from `arrive` in an open loop too, as the eBPF programs time it.
  std::int64_t probe_sample = 0;
  // When set, chooses probe_sample from the warm-up once it is over (--probe-sample auto).
  std::function<std::int64_t(const WarmupSummary&)> choose_probe_sample;
  // Stamp only `arrive` and `response_ready` (StageTrace::ends_only; never with probe_sample):
  // the run then measures the total without the cost of the other stage points.
  bool ends_only = false;
  // Request ids are request_id_base + ticket + 1, unique within the process when each run uses
  // a different base.
  std::uint64_t request_id_base = 0;
  // The measured requests are also counted in `blocks` consecutive blocks by ticket (ticket *
  // blocks / requests), each with its own histogram of `total`: the spread of the blocks' p50s
  // is the within-process part of the noise budget (harness/stats/noise_budget.h). 0: none.
  std::int64_t blocks = 0;
  // Open loop only: "open" (a rate schedule) or "replay" (a trace's), recorded as LoadResult::mode.
  std::string mode = "open";
  // Called on each client thread first, with the client's index (placement: name and CPUs).
  std::function<void(std::size_t client)> on_client_start;
  // Client 0 runs on the thread that called run_closed_loop / run_open_loop instead of a thread of
  // its own (guest mode: the direct path then runs on the host's calling Python thread).
  bool caller_is_first_client = false;
  // Called once, when every client has finished warming up and before the measured part starts.
  std::function<void()> on_measure_start;
  // Called once, when every client has sent its last measured request, before any client
  // thread exits (so every thread of the run can still be read, harness/placement/thread_census.h).
  std::function<void()> on_measure_end;
  // Once set, the clients claim no further request, warm-up or measured, closed or open loop,
  // and the run ends with the budget partly unsent: a run bounded by time rather than by count
  // (the soak test's minutes), or stopped by a signal (guest mode: harness/host/interrupt.h). The
  // result is then partial; the caller decides what it is worth. One relaxed load per request.
  const std::atomic<bool>* stop = nullptr;
};

struct LoadProgress {
  std::atomic<std::int64_t> done{0};  // measured requests completed so far
};

LoadResult run_closed_loop(App& app, const RequestMix& mix, const LoadSettings& settings,
                           LoadProgress* progress = nullptr);

// Sends `schedule`'s arrivals (requests of `table`) from settings.clients senders; the warm-up
// sends the schedule's first requests back to back. settings.requests is ignored.
LoadResult run_open_loop(App& app, const RequestTable& table, std::size_t route_count, const ArrivalSchedule& schedule,
                         const LoadSettings& settings, LoadProgress* progress = nullptr);

}  // namespace fb::harness
