#include "harness/probes/probe_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/cli/exit_codes.h"
#include "harness/probes/probe_cost.h"
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

ProbeSampleChoice choose_probe_sample(const WarmupSummary& w, double sampled_point_ns) {
  ProbeSampleChoice c;
  if (w.requests == 0 || w.mean_total_ns <= 0 || sampled_point_ns <= 0) {
    c.reason = fmt::format("auto: no warm-up to measure the path on, 1 in {}", kFallbackProbeSample);
    return c;
  }
  const double per_sampled_request = w.mean_points * sampled_point_ns;
  c.every = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(per_sampled_request / (kProbeBudget * w.mean_total_ns))));
  c.reason = fmt::format(
      "auto: 1 in {} keeps the probes within {:.0f} % of request time ({:.1f} points x {:.0f} ns per sampled point = "
      "{:.1f} µs per sampled request; warm-up mean request {:.0f} ns)",
      c.every, kProbeBudget * 100, w.mean_points, sampled_point_ns, per_sampled_request / 1000, w.mean_total_ns);
  return c;
}

void ProbeSession::prepare_run(int rep, LoadSettings& load) {
  // Each run numbers its requests from its own base, so ids never repeat within the process.
  load.request_id_base = (static_cast<std::uint64_t>(rep) + 1) << 40;
  if (!backend_) {
    load.probe_sample = 0;
    return;
  }
  if (settings_.sample) {
    load.probe_sample = *settings_.sample;
    sample_reason_ = fmt::format("fixed: --probe-sample {}", *settings_.sample);
  } else {
    load.choose_probe_sample = [this](const WarmupSummary& w) {
      const ProbeSampleChoice c = choose_probe_sample(w, calibration_.point_ns);
      sample_reason_ = c.reason;
      return c.every;
    };
  }
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
  run.probe_sample = run.load.probe_sample;
  run.probe_sample_reason = sample_reason_;
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
