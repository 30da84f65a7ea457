// What one load-generator thread records about its measured requests, in its own memory (no
// lock, no allocation per request), merged into a LoadResult when the run ends. Shared by the
// closed loop, the open loop and their HTTP twins, so every schedule records the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/load/load_result.h"
#include "probes/histogram.h"
#include "probes/inproc_recorder.h"

namespace fb::harness {

struct SenderRecord {
  SenderRecord(std::size_t routes, std::int64_t blocks);

  // A measured, unsampled request of scenario route `route` with HTTP status `status`.
  // `block`: its block of consecutive tickets, or -1. `uncorrected_total_ns`: arrive -> response
  // ready when the request had an intended send time (open loop), else -1.
  void record(const probes::StageLatencies& latencies, std::size_t route, int status, std::int64_t block,
              std::int64_t uncorrected_total_ns);
  // A measured request sampled for the probes: kept apart (not in `stages` nor in the routes').
  void record_sampled(std::uint64_t request_id, const probes::StageLatencies& latencies, std::size_t route, int status);
  // Makes route `route`'s recorder now (called during the warm-up), so that the measured part
  // does not allocate and zero it on the route's first request.
  void prepare_route(std::size_t route);

  probes::InprocRecorder recorder;
  std::unique_ptr<probes::InprocRecorder> sampled_recorder;  // made before the measured part when sampling
  std::vector<SampledRequest> sampled;
  std::uint64_t requests = 0, server_errors = 0, client_errors = 0;
  std::vector<RouteLoad> routes;
  std::vector<probes::Histogram> block_totals;
  probes::Histogram uncorrected_total;
  std::int64_t uncorrected_sum_ns = 0;

 private:
  void count(std::size_t route, int status);
};

// Adds every sender's records into `result` (stages, sampled, blocks, counts, routes; the
// uncorrected totals into `result.schedule` when it is set).
void merge_senders(const std::vector<const SenderRecord*>& senders, LoadResult& result);

}  // namespace fb::harness
