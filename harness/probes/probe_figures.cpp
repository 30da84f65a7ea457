#include "harness/probes/probe_figures.h"

namespace fb::harness {

EbpfStageFigures ebpf_stage_figures(const EbpfRunRecord& e, fb_stage stage) {
  const probes::EbpfSnapshot& snap = e.snapshot;
  EbpfStageFigures f;
  f.count = snap.stages[stage].count();
  f.p50_ns = static_cast<double>(snap.stages[stage].value_at_percentile(50));
  f.mean_ns = snap.signed_mean(stage);
  const double n = static_cast<double>(f.count);
  f.on_cpu_ns = n == 0 ? 0.0 : static_cast<double>(snap.on_cpu_ns[stage]) / n;
  f.off_cpu_ns = n == 0 ? 0.0 : static_cast<double>(snap.off_cpu_ns[stage]) / n;
  f.off_cpu_share = f.on_cpu_ns + f.off_cpu_ns > 0 ? f.off_cpu_ns / (f.on_cpu_ns + f.off_cpu_ns) : 0.0;
  f.probe_ns = e.probe_hits[stage] * e.calibration.point_ns;
  return f;
}

std::optional<double> overhead_ns_per_request(const RunRecord& run) {
  if (run.ebpf) return run.ebpf->usdt_ns_per_request + run.ebpf->sched_ns_per_request.value_or(0.0);
  if (run.probes_requested == "inproc" || !run.ebpf_unavailable.empty()) return std::nullopt;
  return 0.0;
}

probes::Histogram all_requests_total(const LoadResult& load) {
  probes::Histogram h = load.stages->stage(FB_STAGE_TOTAL);
  h.merge(load.sampled_stages->stage(FB_STAGE_TOTAL));
  return h;
}

}  // namespace fb::harness
