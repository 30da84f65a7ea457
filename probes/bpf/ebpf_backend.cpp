// The eBPF backend of a build that has it: both loaders, the ring-buffer poller and the
// kernel's run-time statistics. See probes/ebpf_backend.h.
#include "probes/ebpf_backend.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fmt/format.h>
#include <thread>

#include "probes/bpf/offcpu_loader.h"
#include "probes/bpf/stages_loader.h"
#include "probes/capabilities.h"

namespace fb::probes {
namespace {

// How often the poller drains the ring buffer. Records are submitted without wake-ups (no
// context switch per record), so this bounds how full the 8 MiB buffer gets: at full-rate
// sampling (~70k records/s of 152 bytes) 20 ms is ~210 KiB.
constexpr std::chrono::milliseconds kPollPeriod{20};

std::optional<ProgramRunTime> run_time(std::initializer_list<int> program_fds) {
  ProgramRunTime total;
  for (int fd : program_fds) {
    bpf_prog_info info{};
    __u32 len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return std::nullopt;
    total.runs += info.run_cnt;
    total.ns += info.run_time_ns;
  }
  return total;
}

ProgramRunTime minus(const ProgramRunTime& a, const ProgramRunTime& b) { return {a.runs - b.runs, a.ns - b.ns}; }

}  // namespace

struct EbpfBackend::Impl {
  std::unique_ptr<bpf::StagesLoader> stages;
  std::unique_ptr<bpf::OffcpuLoader> offcpu;
  int stats_fd = -1;  // held open while the kernel should count program run time
  ProgramRunTime stage_base, sched_base;

  std::thread poller;
  std::mutex poller_mutex;
  std::condition_variable poller_cv;
  bool poller_stop = false;  // guarded by poller_mutex

  void start_poller() {
    poller_stop = false;
    poller = std::thread([this] {
      std::unique_lock lock(poller_mutex);
      while (!poller_cv.wait_for(lock, kPollPeriod, [this] { return poller_stop; })) {
        lock.unlock();
        stages->poll_records();
        lock.lock();
      }
    });
  }

  void stop_poller() noexcept {
    if (!poller.joinable()) return;
    {
      std::lock_guard lock(poller_mutex);
      poller_stop = true;
    }
    poller_cv.notify_all();
    poller.join();
  }

  std::optional<ProgramRunTime> stage_time() const {
    return stats_fd < 0 ? std::nullopt : run_time({stages->program_fd()});
  }
  std::optional<ProgramRunTime> sched_time() const {
    return stats_fd < 0 ? std::nullopt : run_time({offcpu->switch_program_fd(), offcpu->wakeup_program_fd()});
  }
};

EbpfBackend::EbpfBackend(EbpfOptions options) : impl_(std::make_unique<Impl>()) {
  if (std::string reason = missing_bpf_capabilities(); !reason.empty()) throw EbpfUnavailable(reason);
  const pid_t self = getpid();
  impl_->stages = std::make_unique<bpf::StagesLoader>(self);
  impl_->offcpu = std::make_unique<bpf::OffcpuLoader>(self, impl_->stages->threads_map_fd(), impl_->stages->requests_map_fd(),
                                                      impl_->stages->armed_map_fd());
  if (options.program_stats) {
    const int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
    impl_->stats_fd = fd >= 0 ? fd : -1;  // not fatal: the run times are then reported as unknown
  }
  clear();
}

EbpfBackend::~EbpfBackend() {
  detach();
  if (impl_->stats_fd >= 0) close(impl_->stats_fd);
}

void EbpfBackend::attach() {
  if (attached()) return;
  impl_->stages->attach();
  try {
    impl_->offcpu->attach();
  } catch (...) {
    impl_->stages->detach();
    throw;
  }
  impl_->start_poller();
}

void EbpfBackend::detach() noexcept {
  impl_->stop_poller();
  impl_->stages->detach();
  impl_->offcpu->detach();
}

bool EbpfBackend::attached() const noexcept { return impl_->stages->attached(); }

void EbpfBackend::clear() {
  impl_->stages->clear();
  impl_->offcpu->clear();
  if (auto t = impl_->stage_time()) impl_->stage_base = *t;
  if (auto t = impl_->sched_time()) impl_->sched_base = *t;
}

EbpfSnapshot EbpfBackend::collect() {
  EbpfSnapshot out;
  impl_->stages->read(out);
  impl_->offcpu->read(out);
  if (auto t = impl_->stage_time()) out.stage_program = minus(*t, impl_->stage_base);
  if (auto t = impl_->sched_time()) out.sched_programs = minus(*t, impl_->sched_base);
  return out;
}

std::string EbpfBackend::describe() const {
  return fmt::format("libbpf {}.{}, CO-RE against the running kernel's BTF", libbpf_major_version(),
                     libbpf_minor_version());
}

std::string ebpf_unavailable_reason() { return missing_bpf_capabilities(); }

bool ebpf_compiled_in() noexcept { return true; }

}  // namespace fb::probes
