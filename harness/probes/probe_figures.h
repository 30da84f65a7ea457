// Figures derived from what the probes saw in one run, computed once for every place that shows
// them (runs[].probes in the results, the console's probe sections).
#pragma once

#include <cstdint>
#include <optional>

#include "harness/results/results_model.h"
#include "probes/histogram.h"

namespace fb::harness {

// The kernel's view of one stage over the sampled requests (runs[].probes.ebpf.stages and
// .offcpu): means per request that went through the stage.
struct EbpfStageFigures {
  std::uint64_t count = 0;
  double p50_ns = 0, mean_ns = 0;
  double on_cpu_ns = 0, off_cpu_ns = 0;
  double off_cpu_share = 0;  // off / (on + off); 0 when neither
  double probe_ns = 0;       // sampled points inside the stage x their calibrated cost (part of on-CPU)
};
EbpfStageFigures ebpf_stage_figures(const EbpfRunRecord& ebpf, fb_stage stage);

// What the eBPF backend cost the run per measured request (USDT hits and primes, plus the
// scheduler programs when the kernel accounted them); none when no eBPF was asked for, or it
// did not run; 0 for the detached half of --probe-ab.
std::optional<double> overhead_ns_per_request(const RunRecord& run);

// `total` over every measured request, sampled ones included: what attaching the probes costs
// the whole load (--probe-ab compares this), where the run's stages leave sampled requests out.
probes::Histogram all_requests_total(const LoadResult& load);

}  // namespace fb::harness
