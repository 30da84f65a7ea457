#include "probes/cpu_seen.h"

#include <unistd.h>

#include <memory>
#include <mutex>

namespace fb::probes {
namespace detail {

std::atomic<std::uint64_t> g_cpu_window{1};

namespace {

// Slots are never freed: a thread that exits keeps its record, and readers never race a free.
struct SlotRegistry {
  std::mutex mutex;
  std::vector<std::unique_ptr<CpuSeenSlot>> slots;  // guarded by mutex

  static SlotRegistry& instance() {
    static SlotRegistry* registry = new SlotRegistry;  // outlives thread exits at shutdown
    return *registry;
  }
};

}  // namespace

CpuSeenSlot* register_cpu_thread() noexcept {
  auto slot = std::make_unique<CpuSeenSlot>();
  slot->tid = static_cast<pid_t>(::gettid());
  CpuSeenSlot* raw = slot.get();
  SlotRegistry& r = SlotRegistry::instance();
  {
    std::lock_guard lock(r.mutex);
    r.slots.push_back(std::move(slot));
  }
  t_cpu_slot = raw;
  return raw;
}

}  // namespace detail

void begin_cpu_window() noexcept { detail::g_cpu_window.fetch_add(1, std::memory_order_release); }

std::vector<ThreadCpus> cpu_window() {
  const std::uint64_t window = detail::g_cpu_window.load(std::memory_order_acquire);  // B
  detail::SlotRegistry& r = detail::SlotRegistry::instance();
  std::lock_guard lock(r.mutex);
  std::vector<ThreadCpus> out;
  out.reserve(r.slots.size());
  for (const auto& slot : r.slots) {
    ThreadCpus t;
    t.tid = slot->tid;
    if (slot->window.load(std::memory_order_acquire) == window) {  // D
      for (std::size_t w = 0; w < slot->bits.size(); ++w) {
        const std::uint64_t bits = slot->bits[w].load(std::memory_order_relaxed);
        for (int b = 0; b < 64; ++b) {
          if ((bits >> b) & 1u) t.cpus.push_back(static_cast<int>(w * 64) + b);
        }
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace fb::probes
