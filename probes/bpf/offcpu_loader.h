// Loader of offcpu.bpf.c: the scheduler programs (sched_switch, sched_wakeup), sharing the
// per-thread and per-request maps of the stages program.
#pragma once

#include <sys/types.h>

#include <memory>

#include "probes/bpf/libbpf_util.h"
#include "probes/ebpf_backend.h"

struct offcpu_bpf;

namespace fb::probes::bpf {

class OffcpuLoader {
 public:
  // parse -> open -> set globals -> reuse the shared maps -> load. Throws EbpfUnavailable.
  OffcpuLoader(pid_t tgid, int threads_map_fd, int requests_map_fd, int armed_map_fd);
  ~OffcpuLoader();
  OffcpuLoader(const OffcpuLoader&) = delete;
  OffcpuLoader& operator=(const OffcpuLoader&) = delete;

  void attach();  // throws EbpfUnavailable
  void detach() noexcept;
  bool attached() const noexcept { return switch_link_ != nullptr; }

  void clear();
  void read(EbpfSnapshot& out) const;
  int switch_program_fd() const;
  int wakeup_program_fd() const;

 private:
  offcpu_bpf* skel_ = nullptr;
  std::unique_ptr<PercpuArray> hist_, totals_, counters_;
  LinkPtr switch_link_, wakeup_link_;
};

}  // namespace fb::probes::bpf
