// The eBPF probe backend: two libbpf CO-RE programs loaded into this process's view of the
// kernel and attached to this process only.
//
//  - stages (probes/bpf/stages.bpf.c) on every fasterbench:<point> USDT probe: per-request
//    bpf_ktime_get_ns stamps -> per-stage log-linear histograms in kernel memory, one raw record
//    per sampled request through a ring buffer;
//  - offcpu (probes/bpf/offcpu.bpf.c) on sched_switch / sched_wakeup: the on-/off-CPU split of
//    each stage and the wake-up-to-run latency of workers and clients.
//
// The stage probes fire only for the requests the load generator sampled (StageTrace::sampled),
// so the histograms hold exactly those. Nothing here depends on libbpf: a build without the
// backend (see cmake/fasterbench_ebpf.cmake) links ebpf_backend_none.cpp, whose constructor throws
// EbpfUnavailable("this build has no eBPF backend: <reason>").
//
// Usage: construct (loads, attaches nothing), attach(), run, collect() (drains and reads),
// clear() before the next window; detach()/attach() may alternate. One instance per process.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "probes/histogram.h"
#include "probes/stage_names.h"

namespace fb::probes {

// The eBPF backend cannot run here; what() says why, in words for the user.
class EbpfUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whose wake-up-to-run latency (offcpu.h's enum fb_role order).
inline constexpr std::size_t kWakeupRoleCount = 3;
inline constexpr std::array<std::string_view, kWakeupRoleCount> kWakeupRoleNames = {"worker", "client", "other"};

// One sampled request as the kernel saw it (probes/bpf/stages.h struct fb_record).
struct EbpfRecord {
  std::uint64_t request_id = 0;
  std::uint64_t arrive_ticks = 0;  // in-process clock at `arrive`, as the probe passed it
  std::array<std::int64_t, kStageCount> ns{};
  std::array<std::uint64_t, kStageCount> off_cpu_ns{};
  std::array<std::uint64_t, kPointCount> ts{};     // bpf_ktime_get_ns at each point; 0: not reached
  std::array<std::uint64_t, kPointCount> ticks{};  // in-process clock at each point (probe argument)
  std::uint32_t present = 0;  // bit s: went through stage s
  std::uint32_t caller_tid = 0, worker_tid = 0, points = 0;
};

// Run time the kernel accounted to one program while statistics were on (bpf_enable_stats).
struct ProgramRunTime {
  std::uint64_t runs = 0;
  std::uint64_t ns = 0;
};

// Everything the programs gathered since the last clear().
struct EbpfSnapshot {
  std::array<Histogram, kStageCount> stages;           // |latency| per stage, as in-process
  std::array<std::int64_t, kStageCount> signed_sum{};  // for the signed mean of `other`
  std::array<std::uint64_t, kStageCount> off_cpu_ns{}, on_cpu_ns{};  // summed over requests
  std::array<Histogram, kWakeupRoleCount> wakeup;      // wake-up-to-run latency per role
  std::array<std::uint64_t, kPointCount> point_hits{};
  std::uint64_t hits = 0;             // USDT hits of this process (stage points)
  std::uint64_t primes = 0;           // priming hits (probes/usdt.h), not in `hits`
  std::uint64_t requests = 0;         // requests that reached response_ready
  std::uint64_t ring_drops = 0;       // raw records lost (ring buffer full)
  std::uint64_t missing_request = 0;  // hits of a request whose `arrive` was not seen
  std::uint64_t table_full = 0;       // in-flight table full at `arrive`
  std::uint64_t switches_in = 0, charged_switches = 0, wakeups = 0;
  std::vector<EbpfRecord> records;    // raw records, in arrival order
  std::optional<ProgramRunTime> stage_program, sched_programs;  // when the kernel counted

  double signed_mean(fb_stage s) const noexcept {
    const auto n = stages[s].count();
    return n == 0 ? 0.0 : static_cast<double>(signed_sum[s]) / static_cast<double>(n);
  }
};

struct EbpfOptions {
  // Ask the kernel to account program run time (bpf_enable_stats(BPF_STATS_RUN_TIME)), for the
  // scheduler programs' share of the overhead; costs two clock reads per program run (on every
  // context switch of the machine while attached). Off, or not available: the snapshot's run
  // times stay empty.
  bool program_stats = true;
};

class EbpfBackend {
 public:
  // Checks privileges, opens and loads both programs for this process; attaches nothing.
  // Throws EbpfUnavailable with the reason.
  explicit EbpfBackend(EbpfOptions options = {});
  ~EbpfBackend();
  EbpfBackend(const EbpfBackend&) = delete;
  EbpfBackend& operator=(const EbpfBackend&) = delete;

  // Attaches the stage program to every stage point's USDT probe of /proc/self/exe (the kernel
  // then raises the probes' semaphores) and the scheduler programs; starts draining the ring
  // buffer in the background. Throws EbpfUnavailable (nothing left attached) on failure.
  void attach();
  // Detaches everything (semaphores drop back to 0); the programs stay loaded, the data stays.
  void detach() noexcept;
  bool attached() const noexcept;

  // Zeroes histograms and counters and drops buffered records.
  void clear();
  // Drains the ring buffer and reads every map: the data since the last clear().
  EbpfSnapshot collect();

  // "libbpf 1.1, BTF from the running kernel": what the results context records.
  std::string describe() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Why the eBPF backend cannot be used by this process, as far as can be told without loading
// anything: the build has no backend, or the effective capabilities lack CAP_BPF and
// CAP_PERFMON (CAP_SYS_ADMIN covers both). "" when it looks usable.
std::string ebpf_unavailable_reason();

// Whether this build contains the backend at all.
bool ebpf_compiled_in() noexcept;

}  // namespace fb::probes
