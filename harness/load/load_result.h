// What one measured load run produced: merged stage histograms and request accounting.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "probes/alloc_counter.h"
#include "probes/inproc_recorder.h"

namespace fb::harness {

// A sampled request's in-process view, kept to pair it with the eBPF record of the same id.
struct SampledRequest {
  std::uint64_t request_id = 0;
  probes::StageLatencies latencies;
};

struct LoadResult {
  std::unique_ptr<probes::InprocRecorder> stages = std::make_unique<probes::InprocRecorder>();
  std::uint64_t requests = 0;       // measured (warm-up excluded)
  std::uint64_t server_errors = 0;  // status >= 500 (handlers that raised, bad results)
  std::uint64_t client_errors = 0;  // 4xx (unknown paths, wrong methods)
  std::vector<std::uint64_t> per_route;  // measured requests per mix entry
  double duration_s = 0;
  double throughput_rps = 0;
  double steal_pct = 0;  // share of CPU time stolen by the hypervisor during the run
  // C++ operator new calls (and bytes) made by every thread during the measured part, per stage
  // bucket (probes/alloc_counter.h). Empty when the counting operator new is not linked.
  std::optional<probes::AllocTotals> allocations;
  // Requests sampled for the USDT probes (ClosedLoopSettings::probe_sample): not in `stages`.
  std::uint64_t sampled_requests = 0;
  std::int64_t probe_sample = 0;  // the 1-in-N the run used (chosen after the warm-up with auto)
  std::unique_ptr<probes::InprocRecorder> sampled_stages = std::make_unique<probes::InprocRecorder>();
  std::vector<SampledRequest> sampled;  // in completion order per client, clients concatenated
  // `total` of the unsampled measured requests per block of consecutive tickets
  // (ClosedLoopSettings::blocks); empty when blocks were not asked for.
  std::vector<probes::Histogram> block_totals;
};

}  // namespace fb::harness
