// The probe blocks of a results document: runs[].probes (both backends, the eBPF findings,
// overhead and the cross-validation table) and context.ebpf.
#pragma once

#include <nlohmann/json.hpp>

#include "harness/results/results_model.h"

namespace fb::harness {

// runs[].probes:
//   backend, requested, stamp_cost_ns, sample, sampled_requests, sampled_stages.<stage>,
//   all_requests_total (the total over every measured request, sampled ones included),
//   ebpf_unavailable (when asked for and not running),
//   ebpf: { attached, hit_cost_ns, prime_cost_ns, point_cost_ns, calibration, requests,
//           usdt_hits, primes, point_hits, records, ring_drops, missing_requests, table_full,
//           probe_hits.<stage> (sampled points inside it), point_skew.<point> {count, p25_ns,
//           p50_ns, p75_ns}, stages.<stage> (the
//           shape of runs[].stages.<stage>), offcpu.<stage> {count, on_cpu_ns, off_cpu_ns (means
//           per request), off_cpu_share, probe_ns, ...}, wakeup.<role>, scheduler, programs },
//   overhead_ns_per_request, overhead {usdt_ns_per_request, sched_ns_per_request},
//   cross_validation.<stage> { inproc_p50_ns, ebpf_p50_ns, agree, checked, tolerance_ns, ... }.
nlohmann::json probes_to_json(const RunRecord& run);

nlohmann::json ebpf_context_to_json(const EbpfContext& context);

}  // namespace fb::harness
