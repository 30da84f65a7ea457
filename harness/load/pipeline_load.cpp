#include "harness/load/pipeline_load.h"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "harness/host/sysinfo.h"
#include "harness/load/in_flight_sampler.h"
#include "harness/load/schedule_pacer.h"
#include "harness/load/sender_record.h"
#include "probes/cpu_seen.h"

namespace fb::harness {
namespace {

// Where a client's requests come from: the closed loop's shared budget and the mix, or the open
// loop's pacer.
struct Source {
  const RequestTable& table;
  std::size_t route_count;
  const RequestMix* mix = nullptr;           // closed loop
  SchedulePacer* pacer = nullptr;            // open loop
  std::int64_t measured = 0;                 // requests the measured part sends
};

struct ClientState {
  explicit ClientState(std::size_t routes, std::int64_t blocks) : record(routes, blocks) {}
  SenderRecord record;
  SenderPace pace;
  // Warm-up: what it cost (WarmupSummary), summed.
  std::uint64_t warmup_requests = 0;
  double warmup_total_ns = 0, warmup_points = 0;
};

// One request to send: its ticket (order in the measured part), the table entry, and when it was
// meant to leave (0: now, closed loop).
struct Claim {
  std::int64_t ticket;
  std::size_t request;
  probes::Ticks intended;
};

LoadResult drive(App& app, const Source& source, const LoadSettings& settings, LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const probes::ClockCalibration& clock = probes::clock_calibration();
  const bool open = source.pacer != nullptr;
  std::vector<std::unique_ptr<ClientState>> states;
  for (std::size_t c = 0; c < clients; ++c) states.push_back(std::make_unique<ClientState>(source.route_count, settings.blocks));
  // 1 measured request in `sample_every` fires the probes: fixed, or chosen when the warm-up is
  // over. Written by the barrier's completion step, read by the clients after it.
  std::int64_t sample_every = settings.probe_sample;

  std::mutex start_error_mutex;
  std::exception_ptr start_error;  // guarded by start_error_mutex: from on_client_start
  std::atomic<std::int64_t> warmup_tickets{0};
  std::atomic<std::int64_t> tickets{0};  // closed loop only
  CpuTimes cpu_before;
  probes::AllocTotals allocs_before;
  const bool count_allocs = probes::alloc_counting_linked();
  std::optional<probes::AllocTotals> result_allocations;
  std::chrono::steady_clock::time_point t0, t1;
  CpuTimes cpu_after;
  std::optional<InFlightSampler> sampler;
  InFlightSamples in_flight;
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
  // clock (and the allocation count, and the schedule) for the measured part.
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
        st->record.sampled_recorder = std::make_unique<probes::InprocRecorder>();
        st->record.sampled.reserve(static_cast<std::size_t>(source.measured / sample_every + 1));
      }
    }
    run_hook(settings.on_measure_start);
    cpu_before = read_cpu_times();
    if (count_allocs) allocs_before = probes::alloc_totals();
    t0 = std::chrono::steady_clock::now();
    if (open) {
      source.pacer->start();
      try {
        sampler.emplace(*source.pacer, settings.seed);
      } catch (...) {
        if (!hook_error) hook_error = std::current_exception();
      }
    }
  });
  // Every client has its last response; a worker may still be between publishing that response
  // and parking in the queue (charged to `dispatch`), so at most that step straddles the count.
  std::barrier finished(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    t1 = std::chrono::steady_clock::now();
    cpu_after = read_cpu_times();
    if (count_allocs) result_allocations = allocs_before.until(probes::alloc_totals());
    if (sampler) in_flight = sampler->stop();
    run_hook(settings.on_measure_end);
  });

  auto stopped = [stop = settings.stop]() noexcept { return stop != nullptr && stop->load(std::memory_order_relaxed); };
  auto claim = [&](ClientState& st, std::mt19937_64& rng) -> std::optional<Claim> {
    if (stopped()) return std::nullopt;
    if (open) {
      const auto slot = source.pacer->next(st.pace);
      if (!slot) return std::nullopt;
      return Claim{static_cast<std::int64_t>(slot->index), slot->request, slot->intended};
    }
    const std::int64_t ticket = tickets.fetch_add(1, std::memory_order_relaxed);
    if (ticket >= source.measured) return std::nullopt;
    return Claim{ticket, source.mix->pick(rng), 0};
  };
  // The warm-up's requests: the mix's draws, or the schedule's first requests in order.
  auto warmup_request = [&](std::int64_t ticket, std::mt19937_64& rng) -> std::size_t {
    if (!open) return source.mix->pick(rng);
    const auto& arrivals = source.pacer->schedule().arrivals;
    return arrivals[static_cast<std::size_t>(ticket) % arrivals.size()].request;
  };

  auto client = [&](std::size_t c) {
    if (settings.on_client_start) {
      try {
        settings.on_client_start(c);
      } catch (...) {
        std::lock_guard lock(start_error_mutex);
        if (!start_error) start_error = std::current_exception();
      }
    }
    if (open) use_fine_timer_slack();
    ClientState& st = *states[c];
    std::mt19937_64 rng(settings.seed * 1000003ull + c);
    StageTrace trace;
    trace.sampled = false;
    trace.ends_only = settings.ends_only;
    const bool has_arrivals = !open || !source.pacer->schedule().arrivals.empty();
    for (std::int64_t ticket;
         has_arrivals && !stopped() && (ticket = warmup_tickets.fetch_add(1, std::memory_order_relaxed)) < settings.warmup;) {
      trace.clear();
      const std::size_t request = warmup_request(ticket, rng);
      st.record.prepare_route(source.table.route(request));
      app.handle(source.table.request(request), trace);
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
    while (const std::optional<Claim> next = claim(st, rng)) {
      const std::size_t route = source.table.route(next->request);
      trace.clear();
      trace.sampled = sample_every > 0 && next->ticket % sample_every == 0;
      trace.request_id = settings.request_id_base + static_cast<std::uint64_t>(next->ticket) + 1;
      const Response response = app.handle(source.table.request(next->request), trace);
      // Out of the system as soon as the response is ready, before the recording (Little's law
      // counts requests between their intended time and this).
      if (open) source.pacer->completed();
      if (trace.sampled) {
        st.record.record_sampled(trace.request_id, probes::stage_latencies(trace.at, clock), route, response.status);
      } else {
        const probes::StageLatencies latencies = probes::stage_latencies(trace.at, clock, next->intended);
        const std::int64_t block = settings.blocks > 0 ? next->ticket * settings.blocks / source.measured : -1;
        const std::int64_t uncorrected = open ? latencies.ns[FB_STAGE_TOTAL] - latencies.ns[FB_STAGE_QUEUE] : -1;
        st.record.record(latencies, route, response.status, block, uncorrected);
      }
      probes::note_cpu();  // where this client runs (probes/cpu_seen.h), between requests
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
    finished.arrive_and_wait();
  };

  std::vector<std::thread> threads;
  const std::size_t first_thread = settings.caller_is_first_client ? 1 : 0;
  for (std::size_t c = first_thread; c < clients; ++c) threads.emplace_back(client, c);
  if (settings.caller_is_first_client) client(0);
  for (std::thread& t : threads) t.join();
  if (start_error) std::rethrow_exception(start_error);
  if (hook_error) std::rethrow_exception(hook_error);

  LoadResult result;
  result.allocations = result_allocations;
  result.probe_sample = sample_every;
  result.duration_s = std::chrono::duration<double>(t1 - t0).count();
  if (open) {
    const ArrivalSchedule& schedule = source.pacer->schedule();
    ScheduleOutcome& o = result.schedule.emplace();
    o.scheduled = schedule.arrivals.size();
    o.window_s = static_cast<double>(schedule.window_ns) / 1e9;
    o.offered_rps = schedule.offered_rps();
    o.late_threshold_ns = source.pacer->late_threshold_ns();
    for (const auto& st : states) {
      o.late_sends += st->pace.late;
      o.max_lag_ns = std::max(o.max_lag_ns, st->pace.max_lag_ns);
    }
    o.in_flight = {in_flight.samples, in_flight.mean_in_system, in_flight.variance};
    result.mode = settings.mode;
  }
  std::vector<const SenderRecord*> records;
  for (const auto& st : states) records.push_back(&st->record);
  merge_senders(records, result);
  if (open) {
    ScheduleOutcome& o = *result.schedule;
    const double span = std::max(o.window_s, result.duration_s);
    o.achieved_rps = span > 0 ? static_cast<double>(result.requests) / span : 0;
    result.throughput_rps = o.achieved_rps;
  } else {
    result.throughput_rps = result.duration_s > 0 ? static_cast<double>(result.requests) / result.duration_s : 0;
  }
  result.steal_pct = steal_percent(cpu_before, cpu_after);
  return result;
}

}  // namespace

LoadResult run_closed_loop(App& app, const RequestMix& mix, const LoadSettings& settings, LoadProgress* progress) {
  Source source{mix.table(), mix.size()};
  source.mix = &mix;
  source.measured = settings.requests;
  return drive(app, source, settings, progress);
}

LoadResult run_open_loop(App& app, const RequestTable& table, std::size_t route_count, const ArrivalSchedule& schedule,
                         const LoadSettings& settings, LoadProgress* progress) {
  SchedulePacer pacer(schedule, late_threshold_ns(schedule));
  Source source{table, route_count};
  source.pacer = &pacer;
  source.measured = static_cast<std::int64_t>(schedule.arrivals.size());
  return drive(app, source, settings, progress);
}

}  // namespace fb::harness
