#include "probes/bpf/offcpu_loader.h"

#include <linux/types.h>
#include "probes/bpf/offcpu.h"
#include "offcpu.skel.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace fb::probes::bpf {

static_assert(FB_ROLE_COUNT == kWakeupRoleCount);

OffcpuLoader::OffcpuLoader(pid_t tgid, int threads_map_fd, int requests_map_fd, int armed_map_fd) {
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
  // Share the stages program's per-thread, per-request and armed maps instead of new ones.
  if (int err = bpf_map__reuse_fd(skel_->maps.fb_threads, threads_map_fd); err != 0) {
    fail(libbpf_error("cannot share the thread map with the offcpu program", err));
  }
  if (int err = bpf_map__reuse_fd(skel_->maps.fb_requests, requests_map_fd); err != 0) {
    fail(libbpf_error("cannot share the request map with the offcpu program", err));
  }
  if (int err = bpf_map__reuse_fd(skel_->maps.fb_armed, armed_map_fd); err != 0) {
    fail(libbpf_error("cannot share the armed flag with the offcpu program", err));
  }
  // Load (tp_btf programs need the kernel's BTF).
  if (int err = offcpu_bpf::load(skel_); err != 0) fail(libbpf_error("cannot load the offcpu BPF programs", err));
  try {
    hist_ = std::make_unique<PercpuArray>(bpf_map__fd(skel_->maps.fb_wakeup_hist), FB_ROLE_COUNT * FB_HIST_BUCKETS,
                                          sizeof(__u64));
    totals_ = std::make_unique<PercpuArray>(bpf_map__fd(skel_->maps.fb_wakeup_totals), FB_ROLE_COUNT,
                                            sizeof(fb_hist_totals));
    counters_ = std::make_unique<PercpuArray>(bpf_map__fd(skel_->maps.fb_offcpu_counters), 1, sizeof(fb_offcpu_counters));
    clear();
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
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
  const __u64 zero = 0;
  hist_->fill(&zero);
  fb_hist_totals empty{};
  empty.min = std::numeric_limits<__u64>::max();
  totals_->fill(&empty);
  const fb_offcpu_counters none{};
  counters_->fill(&none);
}

void OffcpuLoader::read(EbpfSnapshot& out) const {
  const std::vector<std::byte> hist = hist_->read();
  const std::vector<std::byte> totals = totals_->read();
  for (std::uint32_t r = 0; r < kWakeupRoleCount; ++r) {
    std::vector<std::uint64_t> row(Histogram::kBucketCount);
    for (std::uint32_t b = 0; b < FB_HIST_BUCKETS; ++b) row[b] = hist_->sum_u64(hist, r * FB_HIST_BUCKETS + b);
    std::uint64_t min = std::numeric_limits<std::uint64_t>::max(), max = 0;
    for (int c = 0; c < totals_->cpus(); ++c) {
      min = std::min<std::uint64_t>(min, totals_->u64_at(totals, r, c, offsetof(fb_hist_totals, min)));
      max = std::max<std::uint64_t>(max, totals_->u64_at(totals, r, c, offsetof(fb_hist_totals, max)));
    }
    out.wakeup[r] = Histogram::from_buckets(row.data(), totals_->sum_u64(totals, r, offsetof(fb_hist_totals, sum)), min, max);
  }
  const std::vector<std::byte> counters = counters_->read();
  out.switches_in = counters_->sum_u64(counters, 0, offsetof(fb_offcpu_counters, switches_in));
  out.charged_switches = counters_->sum_u64(counters, 0, offsetof(fb_offcpu_counters, charged));
  out.wakeups = counters_->sum_u64(counters, 0, offsetof(fb_offcpu_counters, wakeups));
}

}  // namespace fb::probes::bpf
