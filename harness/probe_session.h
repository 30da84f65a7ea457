// The probe backends of one `fasterbench run`: which one was asked for (--probes), which one
// runs, and what each run adds to its RunRecord. The in-process clock always runs, for every
// request; the eBPF backend adds the USDT-sampled requests' kernel view.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "harness/load/closed_loop.h"
#include "harness/results/results_model.h"
#include "probes/ebpf_backend.h"

namespace fb::harness {

enum class ProbeMode { inproc, ebpf, both };

// Default --probe-sample: 1 request in 100 fires its 14 USDT points. A hit costs ~1.2 µs here,
// so a sampled request carries ~17 µs of probes; at 1 in 100 that is ~170 ns per request on
// average, about 1 % of a P0 hello request, and sampled requests are kept out of `stages`. A
// 200k-request run still yields 2,000 sampled requests, enough for a p50 within a few percent.
inline constexpr std::int64_t kDefaultProbeSample = 100;

struct ProbeSettings {
  ProbeMode mode = ProbeMode::inproc;
  std::int64_t sample = kDefaultProbeSample;
  bool require_ebpf = false;  // no eBPF: fail (exit 2) instead of continuing in-process
  bool alternate = false;     // --probe-ab: even repetitions detached, odd ones attached
  bool program_stats = true;  // kernel-accounted program run time (off: --no-probe-stats)
};

std::string probe_mode_name(ProbeMode mode);

class ProbeSession {
 public:
  // For ebpf/both: checks privileges, loads the programs and calibrates the per-hit cost (which
  // leaves them attached). When the backend cannot run, says so on stderr and continues
  // in-process, or, with require_ebpf, throws UsageError naming the reason.
  explicit ProbeSession(const ProbeSettings& settings);
  ~ProbeSession();

  bool ebpf_running() const noexcept { return backend_ != nullptr; }
  const ProbeSettings& settings() const noexcept { return settings_; }
  // The document's context.ebpf.
  EbpfContext context() const;

  // Before repetition `rep`: attaches or detaches, fills the load settings (sampling, request
  // ids, clearing the maps when the measured part starts).
  void prepare_run(int rep, ClosedLoopSettings& load);
  // After the run: what the backends add to `run`.
  void finish_run(RunRecord& run);

 private:
  ProbeSettings settings_;
  std::string unavailable_;
  std::unique_ptr<probes::EbpfBackend> backend_;
  HitCostCalibration calibration_;
  bool attached_this_run_ = false;
};

}  // namespace fb::harness
