#include "harness/probe_session.h"

#include <fmt/format.h>

#include "harness/exit_codes.h"
#include "harness/probe_cost.h"
#include "probes/clock.h"

namespace fb::harness {

std::string probe_mode_name(ProbeMode mode) {
  switch (mode) {
    case ProbeMode::inproc: return "inproc";
    case ProbeMode::ebpf: return "ebpf";
    case ProbeMode::both: return "both";
  }
  return "inproc";
}

ProbeSession::ProbeSession(const ProbeSettings& settings) : settings_(settings) {
  if (settings_.mode == ProbeMode::inproc) return;
  try {
    if (std::string reason = probes::ebpf_unavailable_reason(); !reason.empty()) throw probes::EbpfUnavailable(reason);
    probes::EbpfOptions options;
    options.program_stats = settings_.program_stats;
    backend_ = std::make_unique<probes::EbpfBackend>(options);
    calibration_ = calibrate_hit_cost(*backend_);
  } catch (const probes::EbpfUnavailable& e) {
    backend_.reset();
    unavailable_ = e.what();
    if (settings_.require_ebpf) throw UsageError(fmt::format("--require-ebpf: the eBPF backend cannot run: {}", unavailable_));
    fmt::print(stderr, "fasterbench: eBPF backend unavailable: {}; continuing with the in-process backend only\n",
               unavailable_);
  }
}

ProbeSession::~ProbeSession() = default;

EbpfContext ProbeSession::context() const {
  EbpfContext c;
  c.compiled_in = probes::ebpf_compiled_in();
  c.requested = settings_.mode != ProbeMode::inproc;
  c.available = backend_ != nullptr;
  c.reason = unavailable_;
  if (backend_) {
    c.description = backend_->describe();
    c.calibration = calibration_;
  }
  return c;
}

void ProbeSession::prepare_run(int rep, ClosedLoopSettings& load) {
  // Each run numbers its requests from its own base, so ids never repeat within the process.
  load.request_id_base = (static_cast<std::uint64_t>(rep) + 1) << 40;
  if (!backend_) {
    load.probe_sample = 0;
    return;
  }
  load.probe_sample = settings_.sample;
  attached_this_run_ = !settings_.alternate || rep % 2 == 1;
  if (attached_this_run_) {
    backend_->attach();
  } else {
    backend_->detach();
  }
  probes::EbpfBackend* backend = backend_.get();
  load.on_measure_start = [backend] { backend->clear(); };
}

void ProbeSession::finish_run(RunRecord& run) {
  run.probes_requested = probe_mode_name(settings_.mode);
  run.ebpf_unavailable = unavailable_;
  if (!backend_) {
    run.probes_backend = "inproc";
    run.probe_sample = 0;
    return;
  }
  run.probe_sample = settings_.sample;
  if (!attached_this_run_) {  // --probe-ab's detached half: the in-process backend alone
    run.probes_backend = "inproc";
    return;
  }
  run.probes_backend = probe_mode_name(settings_.mode);
  if (settings_.alternate) run.config += "/ebpf";  // its own group in aggregates and tables
  EbpfRunRecord e;
  e.snapshot = backend_->collect();
  e.calibration = calibration_;
  e.probe_hits = mean_probe_hits(e.snapshot.records);
  e.point_skew = point_skew(e.snapshot.records, probes::clock_calibration().ns_per_tick);
  const double requests = static_cast<double>(run.load.requests);
  if (requests > 0) {
    e.usdt_ns_per_request = (static_cast<double>(e.snapshot.hits) * calibration_.hit_ns +
                             static_cast<double>(e.snapshot.primes) * calibration_.prime_ns) /
                            requests;
    if (e.snapshot.sched_programs) e.sched_ns_per_request = static_cast<double>(e.snapshot.sched_programs->ns) / requests;
  }
  if (settings_.mode == ProbeMode::both) {
    run.cross_validation = cross_validate(*run.load.stages, *run.load.sampled_stages, run.load.sampled, e.snapshot, calibration_.point_ns);
  }
  run.ebpf = std::move(e);
}

}  // namespace fb::harness
