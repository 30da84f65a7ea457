// User-side helpers shared by the loaders: RAII for libbpf objects, and libbpf's messages
// captured so a failure can say what libbpf said.
#pragma once

#include <bpf/libbpf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

// A BPF_MAP_TYPE_PERCPU_ARRAY seen from user space: every key's value on every possible CPU,
// read and written in batches (a few syscalls for thousands of keys).
class PercpuArray {
 public:
  PercpuArray(int map_fd, std::uint32_t entries, std::size_t value_size);

  // Values of all keys, key-major: value(key, cpu) at (key * cpus() + cpu) * stride().
  std::vector<std::byte> read() const;
  // Sets every key on every CPU to `value` (value_size bytes). Throws std::runtime_error.
  void fill(const void* value);

  int cpus() const noexcept { return cpus_; }
  std::size_t stride() const noexcept { return stride_; }

  // Sum over CPUs of the __u64 at `offset` of each value of `key`, from a read() buffer.
  std::uint64_t sum_u64(const std::vector<std::byte>& data, std::uint32_t key, std::size_t offset = 0) const {
    std::uint64_t total = 0;
    for (int c = 0; c < cpus_; ++c) total += u64_at(data, key, c, offset);
    return total;
  }
  std::uint64_t u64_at(const std::vector<std::byte>& data, std::uint32_t key, int cpu, std::size_t offset) const {
    std::uint64_t v;
    std::memcpy(&v, data.data() + (static_cast<std::size_t>(key) * cpus_ + cpu) * stride_ + offset, sizeof v);
    return v;
  }

 private:
  int fd_;
  std::uint32_t entries_;
  std::size_t value_size_, stride_;
  int cpus_;
};

}  // namespace fb::probes::bpf
