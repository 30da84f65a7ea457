// Cross-validation of the two probe backends on the same sampled requests: the in-process clock
// (stamped before each USDT probe fires) and the eBPF programs (bpf_ktime_get_ns inside the
// probe) time the same spans, so per stage their p50s must agree once the probes' own cost is
// taken out. Pure functions.
//
// Probe cost inside a stage. Every point of a sampled request fires its probe twice: a prime
// just before the in-process stamp and the real hit just after it (probes/usdt.h). Both clocks
// read a point's time before (in-process) or during (eBPF) that point's hit, so a span from
// point A to point B contains the hit at A, the prime at B and both probes of every point in
// between, on either clock: one primed point per point passed. Stage by stage:
//   route {arrive} 1 · dispatch {enqueue} 1 · gil {gil_request} 1 · handler {handler_call} 1 ·
//   marshal {gil_acquired, handler_return} 2 · future {future_create, future_set} 2 ·
//   total: every point the request reached but the last · other: total minus the stages above.
// Both p50s are reported raw and with probe_hits x the calibrated cost of a primed point
// subtracted; the agreement test does not depend on the subtraction (the same amount leaves
// both sides), only its tolerance does.
//
// Why the primes. A probe hit whose path is cold (its user code, its uprobe, the program: the
// first hit on a thread after it woke up, or the first of a request after many unsampled ones)
// reaches the eBPF timestamp 0.4-1.5 µs later than a warm hit. Without primes the eBPF clock
// read dispatch (ending at a woken worker's dequeue) ~0.5 µs longer and route (starting at the
// request's first hit) 0.5-1.5 µs shorter than the in-process clock. That is measured per point
// and run (point_skew below; runs[].probes.ebpf.point_skew); with the primes every point's
// skew stays within about 200 ns of arrive's. Whether a stage is checked is decided by its size
// in the unperturbed in-process histogram (runs[].stages, the unsampled requests), not by the
// sampled, probe-laden one.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "harness/load/load_result.h"
#include "probes/ebpf_backend.h"
#include "probes/inproc_recorder.h"

namespace fb::harness {

// The agreement rule of the cross-validation table: within 10 % or 200 ns, whichever is larger,
// checked for stages whose p50 in the unsampled requests' in-process histogram is at least 1 µs.
inline constexpr double kAgreeRelative = 0.10;
inline constexpr double kAgreeAbsoluteNs = 200;
inline constexpr double kCheckedFromNs = 1000;

// max(10 % of |inproc_ns|, 200 ns).
double agreement_tolerance_ns(double inproc_ns);
bool backends_agree(double inproc_ns, double ebpf_ns);

// Probe hits inside each stage's span (see above) for a request that went through the stages in
// `present` (bit per fb_stage) and reached `points` points.
std::array<double, probes::kStageCount> probe_hits_in_stages(std::uint32_t present, std::uint32_t points);

// Mean of probe_hits_in_stages over the raw records (per stage, over the records that went
// through it). No records: the executor path's counts.
std::array<double, probes::kStageCount> mean_probe_hits(const std::vector<probes::EbpfRecord>& records);

// Per point, over the records that reached it and `arrive`: (eBPF stamp - eBPF stamp at arrive)
// - (in-process stamp - in-process stamp at arrive), in ns: how much later, against the
// in-process clock, the probe's timestamp is taken at that point than at `arrive`. A span
// A -> B reads skew(B) - skew(A) longer on the eBPF clock.
struct PointSkew {
  std::uint64_t count = 0;
  double p25_ns = 0, p50_ns = 0, p75_ns = 0;
};
std::array<PointSkew, probes::kPointCount> point_skew(const std::vector<probes::EbpfRecord>& records,
                                                      double ns_per_tick);

struct CrossValidationRow {
  fb_stage stage = FB_STAGE_TOTAL;
  std::uint64_t inproc_count = 0, ebpf_count = 0;
  std::uint64_t matched = 0;           // requests found in both (by request id)
  double probe_hits = 0;               // mean probe hits inside the stage's span
  double probe_ns = 0;                 // probe_hits x calibrated cost of a primed point
  double inproc_p50_raw_ns = 0, ebpf_p50_raw_ns = 0;
  double inproc_p50_ns = 0, ebpf_p50_ns = 0;  // raw minus probe_ns
  double stage_p50_ns = 0;             // in-process p50 of the unsampled requests (runs[].stages)
  double paired_median_diff_ns = 0;    // median over matched requests of (eBPF - in-process)
  double tolerance_ns = 0;
  bool checked = false;                // stage_p50_ns >= kCheckedFromNs and both backends have data
  bool agree = false;
};

// One row per stage that either backend saw, in stage order. `unsampled`: the in-process
// histograms of the other requests (for stage_p50_ns).
std::vector<CrossValidationRow> cross_validate(const probes::InprocRecorder& unsampled,
                                               const probes::InprocRecorder& inproc_sampled,
                                               const std::vector<SampledRequest>& sampled,
                                               const probes::EbpfSnapshot& ebpf, double point_cost_ns);

}  // namespace fb::harness
