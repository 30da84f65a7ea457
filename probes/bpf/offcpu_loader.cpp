#include "probes/bpf/offcpu_loader.h"

#include <linux/types.h>
#include "probes/bpf/offcpu.h"
#include "offcpu.skel.h"

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace fb::probes::bpf {

static_assert(FB_ROLE_COUNT == kWakeupRoleCount);

OffcpuLoader::OffcpuLoader(pid_t tgid, int threads_map_fd, int requests_map_fd) {
  capture_libbpf_messages();
  // Parse + open.
  skel_ = offcpu_bpf::open();
  if (skel_ == nullptr) throw EbpfUnavailable(libbpf_error("cannot open the offcpu BPF object", errno));
  auto fail = [this](const std::string& message) {
    offcpu_bpf::destroy(skel_);
    skel_ = nullptr;
    throw EbpfUnavailable(message);
  };
  // Globals.
  skel_->rodata->targ_tgid = static_cast<__u32>(tgid);
  // Share the stages program's per-thread and per-request maps instead of creating new ones.
  if (int err = bpf_map__reuse_fd(skel_->maps.fb_threads, threads_map_fd); err != 0) {
    fail(libbpf_error("cannot share the thread map with the offcpu program", err));
  }
  if (int err = bpf_map__reuse_fd(skel_->maps.fb_requests, requests_map_fd); err != 0) {
    fail(libbpf_error("cannot share the request map with the offcpu program", err));
  }
  // Load (tp_btf programs need the kernel's BTF).
  if (int err = offcpu_bpf::load(skel_); err != 0) fail(libbpf_error("cannot load the offcpu BPF programs", err));
  clear();
}

OffcpuLoader::~OffcpuLoader() {
  detach();
  offcpu_bpf::destroy(skel_);
}

void OffcpuLoader::attach() {
  if (attached()) return;
  wakeup_link_.reset(bpf_program__attach(skel_->progs.fb_sched_wakeup));
  if (!wakeup_link_) throw EbpfUnavailable(libbpf_error("cannot attach to tp_btf/sched_wakeup", errno));
  switch_link_.reset(bpf_program__attach(skel_->progs.fb_sched_switch));
  if (!switch_link_) {
    const int err = errno;
    wakeup_link_.reset();
    throw EbpfUnavailable(libbpf_error("cannot attach to tp_btf/sched_switch", err));
  }
}

void OffcpuLoader::detach() noexcept {
  switch_link_.reset();
  wakeup_link_.reset();
}

int OffcpuLoader::switch_program_fd() const { return bpf_program__fd(skel_->progs.fb_sched_switch); }
int OffcpuLoader::wakeup_program_fd() const { return bpf_program__fd(skel_->progs.fb_sched_wakeup); }

void OffcpuLoader::clear() {
  auto* bss = skel_->bss;
  std::memset(bss->wakeup_hist, 0, sizeof bss->wakeup_hist);
  std::memset(bss->wakeup_totals, 0, sizeof bss->wakeup_totals);
  for (auto& t : bss->wakeup_totals) t.min = std::numeric_limits<__u64>::max();
  std::memset(&bss->counters, 0, sizeof bss->counters);
}

void OffcpuLoader::read(EbpfSnapshot& out) const {
  const auto* bss = skel_->bss;
  for (std::size_t r = 0; r < kWakeupRoleCount; ++r) {
    const fb_hist_totals& t = bss->wakeup_totals[r];
    const std::vector<std::uint64_t> row(bss->wakeup_hist[r], bss->wakeup_hist[r] + FB_HIST_BUCKETS);
    out.wakeup[r] = Histogram::from_buckets(row.data(), t.sum, t.min, t.max);
  }
  out.switches_in = bss->counters.switches_in;
  out.charged_switches = bss->counters.charged;
  out.wakeups = bss->counters.wakeups;
}

}  // namespace fb::probes::bpf
