#include "harness/load/closed_loop.h"

#include <barrier>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "harness/sysinfo.h"

namespace fb::harness {
namespace {

struct ClientState {
  probes::InprocRecorder recorder;
  std::unique_ptr<probes::InprocRecorder> sampled_recorder;  // only when sampling
  std::vector<SampledRequest> sampled;
  std::uint64_t requests = 0, server_errors = 0, client_errors = 0;
  std::vector<std::uint64_t> per_route;
};

}  // namespace

LoadResult run_closed_loop(App& app, const RequestMix& mix, const ClosedLoopSettings& settings, LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const probes::ClockCalibration& clock = probes::clock_calibration();
  std::vector<std::unique_ptr<ClientState>> states;
  for (std::size_t c = 0; c < clients; ++c) {
    states.push_back(std::make_unique<ClientState>());
    states.back()->per_route.assign(mix.size(), 0);
    if (settings.probe_sample > 0) {
      states.back()->sampled_recorder = std::make_unique<probes::InprocRecorder>();
      // Reserved up front: no allocation on the measured path (a client may take them all).
      states.back()->sampled.reserve(static_cast<std::size_t>(settings.requests / settings.probe_sample + 1));
    }
  }

  std::atomic<std::int64_t> warmup_tickets{0};
  std::atomic<std::int64_t> tickets{0};
  CpuTimes cpu_before;
  probes::AllocTotals allocs_before;
  const bool count_allocs = probes::alloc_counting_linked();
  std::optional<probes::AllocTotals> result_allocations;
  std::chrono::steady_clock::time_point t0;
  // The completion step runs on one thread once all clients finished warming up: it starts the
  // clock (and the allocation count) for the measured part.
  std::barrier warmed_up(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    if (settings.on_measure_start) settings.on_measure_start();
    cpu_before = read_cpu_times();
    if (count_allocs) allocs_before = probes::alloc_totals();
    t0 = std::chrono::steady_clock::now();
  });

  auto client = [&](std::size_t c) {
    ClientState& st = *states[c];
    std::mt19937_64 rng(settings.seed * 1000003ull + c);
    StageTrace trace;
    trace.sampled = false;
    while (warmup_tickets.fetch_add(1, std::memory_order_relaxed) < settings.warmup) {
      trace.clear();
      app.handle(mix.request(mix.pick(rng)), trace);
    }
    warmed_up.arrive_and_wait();
    for (;;) {
      const std::int64_t ticket = tickets.fetch_add(1, std::memory_order_relaxed);
      if (ticket >= settings.requests) break;
      const std::size_t route = mix.pick(rng);
      trace.clear();
      trace.sampled = settings.probe_sample > 0 && ticket % settings.probe_sample == 0;
      trace.request_id = settings.request_id_base + static_cast<std::uint64_t>(ticket) + 1;
      const Response response = app.handle(mix.request(route), trace);
      const probes::StageLatencies latencies = probes::stage_latencies(trace.at, clock);
      if (trace.sampled) {
        st.sampled_recorder->record(latencies);
        st.sampled.push_back({trace.request_id, latencies});
      } else {
        st.recorder.record(latencies);
      }
      ++st.requests;
      ++st.per_route[route];
      if (response.status >= 500) ++st.server_errors;
      else if (response.status >= 400) ++st.client_errors;
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
  };

  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < clients; ++c) threads.emplace_back(client, c);
  for (std::thread& t : threads) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const CpuTimes cpu_after = read_cpu_times();
  // Every client has its last response; a worker may still be between publishing that response
  // and parking in the queue (charged to `dispatch`), so at most that step straddles the count.
  if (count_allocs) result_allocations = allocs_before.until(probes::alloc_totals());

  LoadResult result;
  result.allocations = result_allocations;
  result.per_route.assign(mix.size(), 0);
  for (const auto& st : states) {
    result.stages->merge(st->recorder);
    if (st->sampled_recorder) result.sampled_stages->merge(*st->sampled_recorder);
    result.sampled_requests += st->sampled.size();
    result.sampled.insert(result.sampled.end(), st->sampled.begin(), st->sampled.end());
    result.requests += st->requests;
    result.server_errors += st->server_errors;
    result.client_errors += st->client_errors;
    for (std::size_t r = 0; r < mix.size(); ++r) result.per_route[r] += st->per_route[r];
  }
  result.duration_s = std::chrono::duration<double>(t1 - t0).count();
  result.throughput_rps = result.duration_s > 0 ? static_cast<double>(result.requests) / result.duration_s : 0;
  result.steal_pct = steal_percent(cpu_before, cpu_after);
  return result;
}

}  // namespace fb::harness
