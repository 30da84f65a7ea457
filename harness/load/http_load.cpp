#include "harness/load/http_load.h"

#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>

#include "harness/host/sysinfo.h"
#include "probes/stage_latencies.h"

namespace fb::harness {

HttpLoadClient::HttpLoadClient(const HttpTarget& target, const std::vector<std::string>& wire)
    : per_route(wire.size(), 0), requests_(wire), connection_(target) {}

void HttpLoadClient::send(std::size_t route, probes::Ticks start, bool record) {
  int status = 0;
  try {
    status = connection_.exchange(requests_[route]);
  } catch (const HttpClientError&) {
    if (record) ++transport_errors;
    return;
  }
  if (!record) return;
  const probes::Ticks end = probes::now_ticks();
  probes::StageLatencies latency;
  latency.ns[FB_STAGE_TOTAL] = static_cast<std::int64_t>(probes::clock_calibration().to_ns(end - start));
  latency.present[FB_STAGE_TOTAL] = true;
  recorder.record(latency);
  ++requests;
  ++per_route[route];
  if (status >= 500) ++server_errors;
  else if (status >= 400) ++client_errors;
}

HttpLoadResult run_http_closed_loop(const HttpTarget& target, const RequestMix& mix, const ClosedLoopSettings& settings,
                                    LoadProgress* progress) {
  const auto clients = static_cast<std::size_t>(settings.clients);
  const std::vector<std::string> requests = wire_requests(mix, target);
  std::vector<std::unique_ptr<HttpLoadClient>> states;
  for (std::size_t c = 0; c < clients; ++c) states.push_back(std::make_unique<HttpLoadClient>(target, requests));

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
    while (warmup_tickets.fetch_add(1, std::memory_order_relaxed) < settings.warmup) {
      st.send(mix.pick(rng), probes::now_ticks(), false);
    }
    warmed_up.arrive_and_wait();
    while (tickets.fetch_add(1, std::memory_order_relaxed) < settings.requests) {
      st.send(mix.pick(rng), probes::now_ticks(), true);
      if (progress != nullptr) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < clients; ++c) threads.emplace_back(client, c);
  for (std::thread& t : threads) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const CpuTimes cpu_after = read_cpu_times();

  HttpLoadResult result;
  result.load.per_route.assign(mix.size(), 0);
  for (const auto& st : states) {
    result.load.stages->merge(st->recorder);
    result.load.requests += st->requests;
    result.load.server_errors += st->server_errors;
    result.load.client_errors += st->client_errors;
    result.transport_errors += st->transport_errors;
    result.reconnects += st->reconnects();
    for (std::size_t r = 0; r < mix.size(); ++r) result.load.per_route[r] += st->per_route[r];
  }
  result.load.duration_s = std::chrono::duration<double>(t1 - t0).count();
  result.load.throughput_rps =
      result.load.duration_s > 0 ? static_cast<double>(result.load.requests) / result.load.duration_s : 0;
  result.load.steal_pct = steal_percent(cpu_before, cpu_after);
  return result;
}

}  // namespace fb::harness
