// What one measured load run produced: merged stage histograms and request accounting.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "probes/inproc_recorder.h"

namespace fb::harness {

struct LoadResult {
  std::unique_ptr<probes::InprocRecorder> stages = std::make_unique<probes::InprocRecorder>();
  std::uint64_t requests = 0;       // measured (warm-up excluded)
  std::uint64_t server_errors = 0;  // status >= 500 (handlers that raised, bad results)
  std::uint64_t client_errors = 0;  // 4xx (unknown paths, wrong methods)
  std::vector<std::uint64_t> per_route;  // measured requests per mix entry
  double duration_s = 0;
  double throughput_rps = 0;
  double steal_pct = 0;  // share of CPU time stolen by the hypervisor during the run
};

}  // namespace fb::harness
