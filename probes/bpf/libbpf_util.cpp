#include "probes/bpf/libbpf_util.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <numeric>
#include <stdexcept>

namespace fb::probes::bpf {
namespace {

std::mutex g_mutex;
std::string g_last_warning;  // guarded by g_mutex
std::string g_verifier;      // the verifier's verdict from the last load log, guarded by g_mutex

// The line of a program load log that says why: the last one before "processed N insns".
std::string verifier_verdict(const std::string& log) {
  std::string verdict, line;
  std::size_t start = 0;
  while (start < log.size()) {
    const std::size_t end = log.find('\n', start);
    line = log.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? log.size() : end + 1;
    if (line.rfind("processed ", 0) == 0) break;
    if (!line.empty() && line.rfind("-- ", 0) != 0 && line[0] != ';') verdict = line;
  }
  return verdict;
}
bool g_debug = false;

int on_libbpf_message(libbpf_print_level level, const char* format, va_list args) {
  if (g_debug) return std::vfprintf(stderr, format, args);
  if (level == LIBBPF_DEBUG) return 0;
  va_list sizing;
  va_copy(sizing, args);
  const int size = std::vsnprintf(nullptr, 0, format, sizing);
  va_end(sizing);
  if (size <= 0) return 0;
  std::string text(static_cast<std::size_t>(size) + 1, '\0');
  std::vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<std::size_t>(size));
  if (text.find("-- BEGIN PROG LOAD LOG --") != std::string::npos) {
    std::lock_guard lock(g_mutex);
    g_verifier = verifier_verdict(text.substr(text.find("-- BEGIN PROG LOAD LOG --")));
    return 0;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return 0;
  std::lock_guard lock(g_mutex);
  g_last_warning = text;
  return 0;
}

}  // namespace

void capture_libbpf_messages() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* debug = std::getenv("FASTERBENCH_LIBBPF_DEBUG");
    g_debug = debug != nullptr && std::strcmp(debug, "1") == 0;
    libbpf_set_print(on_libbpf_message);
  });
}

std::string libbpf_error(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err < 0 ? -err : err);
  std::lock_guard lock(g_mutex);
  if (!g_verifier.empty()) message += " (verifier: " + g_verifier + ")";
  else if (!g_last_warning.empty()) message += " (" + g_last_warning + ")";
  g_last_warning.clear();
  g_verifier.clear();
  return message;
}

PercpuArray::PercpuArray(int map_fd, std::uint32_t entries, std::size_t value_size)
    : fd_(map_fd), entries_(entries), value_size_(value_size), stride_((value_size + 7) / 8 * 8),
      cpus_(libbpf_num_possible_cpus()) {
  if (cpus_ <= 0) throw std::runtime_error("cannot count the possible CPUs");
}

std::vector<std::byte> PercpuArray::read() const {
  std::vector<std::byte> values(static_cast<std::size_t>(entries_) * cpus_ * stride_);
  std::vector<std::uint32_t> keys(entries_);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof opts;
  std::uint32_t done = 0, next = 0;
  void* in_batch = nullptr;  // NULL: from the first key
  while (done < entries_) {
    std::uint32_t count = entries_ - done;
    const int err = bpf_map_lookup_batch(fd_, in_batch, &next, keys.data() + done,
                                         values.data() + static_cast<std::size_t>(done) * cpus_ * stride_, &count, &opts);
    done += count;
    if (err != 0) break;  // -ENOENT: the end of the map was reached
    in_batch = &next;
  }
  if (done < entries_) {  // no batch support: one key at a time
    std::vector<std::byte> one(static_cast<std::size_t>(cpus_) * stride_);
    for (std::uint32_t k = done; k < entries_; ++k) {
      if (bpf_map_lookup_elem(fd_, &k, one.data()) == 0) {
        std::memcpy(values.data() + static_cast<std::size_t>(k) * cpus_ * stride_, one.data(), one.size());
      }
    }
  }
  return values;
}

void PercpuArray::fill(const void* value) {
  std::vector<std::byte> values(static_cast<std::size_t>(entries_) * cpus_ * stride_);
  for (std::size_t i = 0; i < static_cast<std::size_t>(entries_) * cpus_; ++i) {
    std::memcpy(values.data() + i * stride_, value, value_size_);
  }
  std::vector<std::uint32_t> keys(entries_);
  std::iota(keys.begin(), keys.end(), 0u);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof opts;
  std::uint32_t count = entries_;
  if (bpf_map_update_batch(fd_, keys.data(), values.data(), &count, &opts) == 0 && count == entries_) return;
  for (std::uint32_t k = 0; k < entries_; ++k) {
    if (bpf_map_update_elem(fd_, &k, values.data() + static_cast<std::size_t>(k) * cpus_ * stride_, BPF_ANY) != 0) {
      throw std::runtime_error(libbpf_error("cannot clear a per-CPU map", errno));
    }
  }
}

}  // namespace fb::probes::bpf
