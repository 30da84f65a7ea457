// The probe backends of one `fasterbench run`: which one was asked for (--probes), which one
// runs, and what each run adds to its RunRecord. The in-process clock always runs, for every
// request; the eBPF backend adds the USDT-sampled requests' kernel view.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "harness/load/pipeline_load.h"
#include "harness/results/results_model.h"
#include "probes/ebpf_backend.h"

namespace fb::harness {

enum class ProbeMode { inproc, ebpf, both };

// --probe-sample auto (the default) samples 1 request in N with N chosen after the warm-up so
// that the probes take at most this share of all request time: N = ceil(points per request x
// cost of a sampled point / (kProbeBudget x mean request time)). A fixed 1 in 100 cost 648 ns
// per request on P0 (~4 %) and 219 ns on the direct path (27 % of an 800 ns request).
inline constexpr double kProbeBudget = 0.02;
// What auto falls back to without a warm-up to measure the path on.
inline constexpr std::int64_t kFallbackProbeSample = 100;

// The auto choice: N and a sentence saying how it was reached.
struct ProbeSampleChoice {
  std::int64_t every = kFallbackProbeSample;
  std::string reason;
};
ProbeSampleChoice choose_probe_sample(const WarmupSummary& warmup, double sampled_point_ns);

struct ProbeSettings {
  ProbeMode mode = ProbeMode::inproc;
  std::optional<std::int64_t> sample;  // 1 in N; nullopt: auto
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
  void prepare_run(int rep, LoadSettings& load);
  // After the run: what the backends add to `run`.
  void finish_run(RunRecord& run);

 private:
  ProbeSettings settings_;
  std::string unavailable_;
  std::unique_ptr<probes::EbpfBackend> backend_;
  HitCostCalibration calibration_;
  bool attached_this_run_ = false;
  std::string sample_reason_;  // how this run's 1-in-N was chosen
};

}  // namespace fb::harness
