// Loader of stages.bpf.c: the USDT stage probe. Owns the skeleton, one link per stage point and
// the ring buffer of raw records. See probes/ebpf_backend.h for how it is used.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "probes/bpf/libbpf_util.h"
#include "probes/ebpf_backend.h"

struct stages_bpf;
struct bpf_program;

namespace fb::probes::bpf {

class StagesLoader {
 public:
  // parse -> open -> set globals -> load. Throws EbpfUnavailable.
  explicit StagesLoader(pid_t tgid);
  ~StagesLoader();
  StagesLoader(const StagesLoader&) = delete;
  StagesLoader& operator=(const StagesLoader&) = delete;

  // The maps offcpu.bpf.c shares (fb_shared.bpf.h).
  int threads_map_fd() const;
  int requests_map_fd() const;
  int armed_map_fd() const;
  int program_fd() const;

  // One link per stage point, the point as the attach cookie. Throws EbpfUnavailable (nothing
  // left attached).
  void attach();
  void detach() noexcept;
  bool attached() const noexcept { return !links_.empty(); }

  // Moves the raw records waiting in the ring buffer into the pending list. Thread-safe.
  void poll_records();
  void clear();
  void read(EbpfSnapshot& out);

 private:
  static int on_record(void* self, void* data, std::size_t size);
  void attach_probe(bpf_program* program, const std::string& name, std::uint64_t cookie);

  pid_t tgid_;
  stages_bpf* skel_ = nullptr;
  std::vector<LinkPtr> links_;
  std::unique_ptr<PercpuArray> counters_;
  RingBufferPtr ring_;
  std::mutex records_mutex_;  // guards ring_ consumption and pending_
  std::vector<EbpfRecord> pending_;
};

}  // namespace fb::probes::bpf
