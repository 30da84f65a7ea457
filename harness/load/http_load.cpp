#include "harness/load/http_load.h"

#include <atomic>
#include <barrier>
#include <chrono>
#include <optional>
#include <thread>

#include "harness/host/sysinfo.h"
#include "harness/load/in_flight_sampler.h"
#include "probes/stage_latencies.h"

namespace fb::harness {

HttpLoadClient::HttpLoadClient(const HttpTarget& target, const RequestTable& table, const std::vector<std::string>& wire,
                               std::size_t route_count, std::int64_t blocks)
    : record(route_count, blocks), table_(table), requests_(wire), connection_(target) {}

void HttpLoadClient::send(std::size_t request, probes::Ticks intended, bool record_it, std::int64_t block,
                          SchedulePacer* pacer) {
  const probes::Ticks sent = probes::now_ticks();
  int status = 0;
  try {
    status = connection_.exchange(requests_[request]);
  } catch (const HttpClientError&) {
    if (pacer != nullptr) pacer->completed();
    if (record_it) ++transport_errors;
    return;
  }
  const probes::Ticks end = probes::now_ticks();
  if (pacer != nullptr) pacer->completed();
  if (!record_it) return;
  const probes::ClockCalibration& clock = probes::clock_calibration();
  probes::StageLatencies latency;
  const auto uncorrected = static_cast<std::int64_t>(clock.to_ns(end - sent));
  latency.ns[FB_STAGE_TOTAL] = uncorrected;
  latency.present[FB_STAGE_TOTAL] = true;
  if (intended != 0) {
    // Client-side, the request "arrives" when the sender starts writing it.
    const auto queue = static_cast<std::int64_t>(clock.to_ns(sent - intended));
    latency.ns[FB_STAGE_QUEUE] = queue;
    latency.present[FB_STAGE_QUEUE] = true;
    latency.ns[FB_STAGE_TOTAL] += queue;
  }
  record.record(latency, table_.route(request), status, block, intended != 0 ? uncorrected : -1);
}

namespace {

std::vector<std::unique_ptr<HttpLoadClient>> connect_clients(const HttpTarget& target, const RequestTable& table,
                                                             const std::vector<std::string>& wire,
                                                             std::size_t route_count, const LoadSettings& settings) {
  std::vector<std::unique_ptr<HttpLoadClient>> clients;
  for (std::int64_t c = 0; c < settings.clients; ++c) {
    clients.push_back(std::make_unique<HttpLoadClient>(target, table, wire, route_count, settings.blocks));
  }
  return clients;
}

HttpLoadResult collect(const std::vector<std::unique_ptr<HttpLoadClient>>& clients, LoadResult load) {
  HttpLoadResult result;
  result.load = std::move(load);
  std::vector<const SenderRecord*> records;
  for (const auto& c : clients) {
    records.push_back(&c->record);
    result.transport_errors += c->transport_errors;
    result.reconnects += c->reconnects();
  }
  merge_senders(records, result.load);
  return result;
}

}  // namespace

HttpLoadResult run_http_closed_loop(const HttpTarget& target, const RequestMix& mix, const LoadSettings& settings,
                                    LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const std::vector<std::string> requests = wire_requests(mix, target);
  const auto states = connect_clients(target, mix.table(), requests, mix.size(), settings);

  std::atomic<std::int64_t> warmup_tickets{0};
  std::atomic<std::int64_t> tickets{0};
  CpuTimes cpu_before;
  std::chrono::steady_clock::time_point t0;
  std::barrier warmed_up(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    if (settings.on_measure_start) settings.on_measure_start();
    cpu_before = read_cpu_times();
    t0 = std::chrono::steady_clock::now();
  });

  auto client = [&](std::size_t c) {
    HttpLoadClient& st = *states[c];
    std::mt19937_64 rng(settings.seed * 1000003ull + c);
    while (warmup_tickets.fetch_add(1, std::memory_order_relaxed) < settings.warmup) st.send(mix.pick(rng), 0, false);
    warmed_up.arrive_and_wait();
    for (std::int64_t ticket; (ticket = tickets.fetch_add(1, std::memory_order_relaxed)) < settings.requests;) {
      const std::int64_t block = settings.blocks > 0 ? ticket * settings.blocks / settings.requests : -1;
      st.send(mix.pick(rng), 0, true, block);
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < clients; ++c) threads.emplace_back(client, c);
  for (std::thread& t : threads) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const CpuTimes cpu_after = read_cpu_times();

  LoadResult load;
  load.duration_s = std::chrono::duration<double>(t1 - t0).count();
  load.steal_pct = steal_percent(cpu_before, cpu_after);
  HttpLoadResult result = collect(states, std::move(load));
  result.load.throughput_rps =
      result.load.duration_s > 0 ? static_cast<double>(result.load.requests) / result.load.duration_s : 0;
  return result;
}

HttpLoadResult run_http_open_loop(const HttpTarget& target, const RequestTable& table, std::size_t route_count,
                                  const ArrivalSchedule& schedule, const LoadSettings& settings, LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const std::vector<std::string> requests = wire_requests(table, target);
  const auto states = connect_clients(target, table, requests, route_count, settings);
  SchedulePacer pacer(schedule, late_threshold_ns(schedule));
  const auto measured = static_cast<std::int64_t>(schedule.arrivals.size());

  std::atomic<std::int64_t> warmup_tickets{0};
  CpuTimes cpu_before, cpu_after;
  std::chrono::steady_clock::time_point t1;
  std::optional<InFlightSampler> sampler;
  InFlightSamples in_flight;
  std::barrier warmed_up(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    if (settings.on_measure_start) settings.on_measure_start();
    cpu_before = read_cpu_times();
    pacer.start();
    sampler.emplace(pacer, settings.seed);
  });
  std::barrier finished(static_cast<std::ptrdiff_t>(clients), [&]() noexcept {
    t1 = std::chrono::steady_clock::now();
    cpu_after = read_cpu_times();
    in_flight = sampler->stop();
  });

  auto client = [&](std::size_t c) {
    use_fine_timer_slack();
    HttpLoadClient& st = *states[c];
    for (std::int64_t ticket; measured > 0 && (ticket = warmup_tickets.fetch_add(1, std::memory_order_relaxed)) < settings.warmup;) {
      st.send(schedule.arrivals[static_cast<std::size_t>(ticket % measured)].request, 0, false);
    }
    warmed_up.arrive_and_wait();
    while (const auto slot = pacer.next(st.pace)) {
      const std::int64_t block =
          settings.blocks > 0 ? static_cast<std::int64_t>(slot->index) * settings.blocks / measured : -1;
      st.send(slot->request, slot->intended, true, block, &pacer);
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
    finished.arrive_and_wait();
  };
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < clients; ++c) threads.emplace_back(client, c);
  for (std::thread& t : threads) t.join();

  LoadResult load;
  load.mode = settings.mode;
  load.duration_s = std::chrono::duration<double>(t1 - pacer.start_time()).count();
  load.steal_pct = steal_percent(cpu_before, cpu_after);
  ScheduleOutcome& o = load.schedule.emplace();
  o.scheduled = schedule.arrivals.size();
  o.window_s = static_cast<double>(schedule.window_ns) / 1e9;
  o.offered_rps = schedule.offered_rps();
  o.late_threshold_ns = pacer.late_threshold_ns();
  for (const auto& st : states) {
    o.late_sends += st->pace.late;
    o.max_lag_ns = std::max(o.max_lag_ns, st->pace.max_lag_ns);
  }
  o.in_flight = {in_flight.samples, in_flight.mean_in_system, in_flight.variance};
  HttpLoadResult result = collect(states, std::move(load));
  ScheduleOutcome& done = *result.load.schedule;
  const double span = std::max(done.window_s, result.load.duration_s);
  done.achieved_rps = span > 0 ? static_cast<double>(result.load.requests) / span : 0;
  result.load.throughput_rps = done.achieved_rps;
  return result;
}

}  // namespace fb::harness
