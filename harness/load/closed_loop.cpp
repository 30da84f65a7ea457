#include "harness/load/closed_loop.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "harness/host/sysinfo.h"
#include "probes/cpu_seen.h"

namespace fb::harness {
namespace {

struct ClientState {
  probes::InprocRecorder recorder;
  std::unique_ptr<probes::InprocRecorder> sampled_recorder;  // only when sampling
  std::vector<SampledRequest> sampled;
  std::uint64_t requests = 0, server_errors = 0, client_errors = 0;
  std::vector<std::uint64_t> per_route;
  std::vector<probes::Histogram> block_totals;
  // Warm-up: what it cost (WarmupSummary), summed.
  std::uint64_t warmup_requests = 0;
  double warmup_total_ns = 0, warmup_points = 0;
};

}  // namespace

LoadResult run_closed_loop(App& app, const RequestMix& mix, const ClosedLoopSettings& settings, LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const probes::ClockCalibration& clock = probes::clock_calibration();
  std::vector<std::unique_ptr<ClientState>> states;
  for (std::size_t c = 0; c < clients; ++c) {
    states.push_back(std::make_unique<ClientState>());
    states.back()->per_route.assign(mix.size(), 0);
    states.back()->block_totals.resize(static_cast<std::size_t>(settings.blocks));
  }
  // 1 measured request in `sample_every` fires the probes: fixed, or chosen when the warm-up is
  // over. Written by the barrier's completion step, read by the clients after it.
  std::int64_t sample_every = settings.probe_sample;

  std::mutex start_error_mutex;
  std::exception_ptr start_error;  // guarded by start_error_mutex: from on_client_start
  std::atomic<std::int64_t> warmup_tickets{0};
  std::atomic<std::int64_t> tickets{0};
  CpuTimes cpu_before;
  probes::AllocTotals allocs_before;
  const bool count_allocs = probes::alloc_counting_linked();
  std::optional<probes::AllocTotals> result_allocations;
  std::chrono::steady_clock::time_point t0, t1;
  CpuTimes cpu_after;
  std::exception_ptr hook_error;  // from on_measure_start / on_measure_end (barrier steps are noexcept)
  auto run_hook = [&hook_error](const std::function<void()>& hook) noexcept {
    if (!hook) return;
    try {
      hook();
    } catch (...) {
      if (!hook_error) hook_error = std::current_exception();
    }
  };
  // The completion step runs on one thread once all clients finished warming up: it starts the
  // clock (and the allocation count) for the measured part.
  std::barrier warmed_up(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    if (settings.choose_probe_sample) {
      WarmupSummary w;
      double total_ns = 0, points = 0;
      for (const auto& st : states) {
        w.requests += st->warmup_requests;
        total_ns += st->warmup_total_ns;
        points += st->warmup_points;
      }
      if (w.requests > 0) {
        w.mean_total_ns = total_ns / static_cast<double>(w.requests);
        w.mean_points = points / static_cast<double>(w.requests);
      }
      run_hook([&] { sample_every = std::max<std::int64_t>(1, settings.choose_probe_sample(w)); });
    }
    if (sample_every > 0) {
      // Reserved before the clock starts: no allocation on the measured path (a client may take them all).
      for (auto& st : states) {
        st->sampled_recorder = std::make_unique<probes::InprocRecorder>();
        st->sampled.reserve(static_cast<std::size_t>(settings.requests / sample_every + 1));
      }
    }
    run_hook(settings.on_measure_start);
    cpu_before = read_cpu_times();
    if (count_allocs) allocs_before = probes::alloc_totals();
    t0 = std::chrono::steady_clock::now();
  });
  // Every client has its last response; a worker may still be between publishing that response
  // and parking in the queue (charged to `dispatch`), so at most that step straddles the count.
  std::barrier finished(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    t1 = std::chrono::steady_clock::now();
    cpu_after = read_cpu_times();
    if (count_allocs) result_allocations = allocs_before.until(probes::alloc_totals());
    run_hook(settings.on_measure_end);
  });

  auto client = [&](std::size_t c) {
    if (settings.on_client_start) {
      try {
        settings.on_client_start(c);
      } catch (...) {
        std::lock_guard lock(start_error_mutex);
        if (!start_error) start_error = std::current_exception();
      }
    }
    ClientState& st = *states[c];
    std::mt19937_64 rng(settings.seed * 1000003ull + c);
    StageTrace trace;
    trace.sampled = false;
    trace.ends_only = settings.ends_only;
    for (std::int64_t ticket; (ticket = warmup_tickets.fetch_add(1, std::memory_order_relaxed)) < settings.warmup;) {
      trace.clear();
      app.handle(mix.request(mix.pick(rng)), trace);
      // The second half only: the first requests of a fresh App pay one-off costs (imports,
      // a calling thread's own interpreter) that say nothing about the path.
      if (settings.choose_probe_sample && ticket >= settings.warmup / 2) {
        const probes::StageLatencies latencies = probes::stage_latencies(trace.at, clock);
        ++st.warmup_requests;
        st.warmup_total_ns += static_cast<double>(latencies.ns[FB_STAGE_TOTAL]);
        st.warmup_points += static_cast<double>(std::count_if(trace.at.begin(), trace.at.end(), [](probes::Ticks t) { return t != 0; }));
      }
    }
    warmed_up.arrive_and_wait();
    for (;;) {
      const std::int64_t ticket = tickets.fetch_add(1, std::memory_order_relaxed);
      if (ticket >= settings.requests) break;
      const std::size_t route = mix.pick(rng);
      trace.clear();
      trace.sampled = sample_every > 0 && ticket % sample_every == 0;
      trace.request_id = settings.request_id_base + static_cast<std::uint64_t>(ticket) + 1;
      const Response response = app.handle(mix.request(route), trace);
      const probes::StageLatencies latencies = probes::stage_latencies(trace.at, clock);
      if (trace.sampled) {
        st.sampled_recorder->record(latencies);
        st.sampled.push_back({trace.request_id, latencies});
      } else {
        st.recorder.record(latencies);
        if (!st.block_totals.empty() && latencies.present[FB_STAGE_TOTAL]) {
          const auto block = static_cast<std::size_t>(ticket * settings.blocks / settings.requests);
          st.block_totals[block].record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, latencies.ns[FB_STAGE_TOTAL])));
        }
      }
      probes::note_cpu();  // where this client runs (probes/cpu_seen.h), between requests
      ++st.requests;
      ++st.per_route[route];
      if (response.status >= 500) ++st.server_errors;
      else if (response.status >= 400) ++st.client_errors;
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
    finished.arrive_and_wait();
  };

  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < clients; ++c) threads.emplace_back(client, c);
  for (std::thread& t : threads) t.join();
  if (start_error) std::rethrow_exception(start_error);
  if (hook_error) std::rethrow_exception(hook_error);

  LoadResult result;
  result.allocations = result_allocations;
  result.per_route.assign(mix.size(), 0);
  result.block_totals.resize(static_cast<std::size_t>(settings.blocks));
  for (const auto& st : states) {
    for (std::size_t b = 0; b < result.block_totals.size(); ++b) result.block_totals[b].merge(st->block_totals[b]);
    result.stages->merge(st->recorder);
    if (st->sampled_recorder) result.sampled_stages->merge(*st->sampled_recorder);
    result.sampled_requests += st->sampled.size();
    result.sampled.insert(result.sampled.end(), st->sampled.begin(), st->sampled.end());
    result.requests += st->requests;
    result.server_errors += st->server_errors;
    result.client_errors += st->client_errors;
    for (std::size_t r = 0; r < mix.size(); ++r) result.per_route[r] += st->per_route[r];
  }
  result.probe_sample = sample_every;
  result.duration_s = std::chrono::duration<double>(t1 - t0).count();
  result.throughput_rps = result.duration_s > 0 ? static_cast<double>(result.requests) / result.duration_s : 0;
  result.steal_pct = steal_percent(cpu_before, cpu_after);
  return result;
}

}  // namespace fb::harness
