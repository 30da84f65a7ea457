// User-side helpers shared by the loaders: RAII for libbpf objects, and libbpf's messages
// captured so a failure can say what libbpf said.
#pragma once

#include <bpf/libbpf.h>

#include <memory>
#include <string>

namespace fb::probes::bpf {

struct LinkDeleter {
  void operator()(bpf_link* link) const noexcept { bpf_link__destroy(link); }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const noexcept { ring_buffer__free(rb); }
};
using RingBufferPtr = std::unique_ptr<ring_buffer, RingBufferDeleter>;

// Routes libbpf's messages into a buffer instead of stderr (FASTERBENCH_LIBBPF_DEBUG=1 prints
// everything, debug level included). Idempotent.
void capture_libbpf_messages();

// "<what>: <strerror(-err)>", followed by libbpf's last warning if it said something since the
// previous call (e.g. the verifier's verdict), then forgets the captured messages.
std::string libbpf_error(const std::string& what, int err);

}  // namespace fb::probes::bpf
