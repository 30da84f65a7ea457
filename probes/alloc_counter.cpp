#include "probes/alloc_counter.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace fb::probes {
namespace {

std::atomic<bool> g_hooks_linked{false};  // set once by the hooks' static initializer

void add_counters(AllocTotals& into, const ThreadAllocCounters& c) noexcept {
  for (std::size_t b = 0; b < kAllocBuckets; ++b) {
    into.allocations[b] += c.allocations[b].load(std::memory_order_relaxed);
    into.bytes[b] += c.bytes[b].load(std::memory_order_relaxed);
  }
}

// Live threads' blocks plus what exited threads counted. Never destroyed: threads may exit
// (and retire their counts) during or after static destruction.
struct Registry {
  std::mutex mutex;
  std::vector<const ThreadAllocCounters*> live;  // guarded by mutex
  AllocTotals retired;                           // guarded by mutex

  static Registry& instance() {
    static Registry* registry = new Registry;
    return *registry;
  }
};

// One per registered thread: registers its block on construction, folds the block's counts into
// `retired` when the thread exits (thread_local destructors run before the TLS block goes).
struct ThreadRegistration {
  ThreadRegistration() {
    Registry& r = Registry::instance();
    std::lock_guard lock(r.mutex);
    r.live.push_back(&t_alloc_counters);
  }
  ~ThreadRegistration() {
    Registry& r = Registry::instance();
    std::lock_guard lock(r.mutex);
    add_counters(r.retired, t_alloc_counters);
    r.live.erase(std::remove(r.live.begin(), r.live.end(), &t_alloc_counters), r.live.end());
  }
};

}  // namespace

void register_alloc_thread() noexcept {
  // Flag first: registering allocates, and that allocation must not register again. What the
  // registration itself allocates is the counter's own cost: charged to no stage.
  ThreadAllocCounters& c = t_alloc_counters;
  c.registered = true;
  const std::uint8_t stage = c.stage;
  c.stage = kAllocOutside;
  static thread_local ThreadRegistration registration;
  (void)registration;
  c.stage = stage;
}

AllocTotals AllocTotals::until(const AllocTotals& later) const noexcept {
  AllocTotals d;
  for (std::size_t b = 0; b < kAllocBuckets; ++b) {
    d.allocations[b] = later.allocations[b] - allocations[b];
    d.bytes[b] = later.bytes[b] - bytes[b];
  }
  return d;
}

std::uint64_t AllocTotals::request_allocations() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t b = 0; b < kAllocBuckets; ++b) n += b == kAllocOutside ? 0 : allocations[b];
  return n;
}

std::uint64_t AllocTotals::request_bytes() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t b = 0; b < kAllocBuckets; ++b) n += b == kAllocOutside ? 0 : bytes[b];
  return n;
}

AllocTotals alloc_totals() {
  Registry& r = Registry::instance();
  std::lock_guard lock(r.mutex);
  AllocTotals t = r.retired;
  for (const ThreadAllocCounters* c : r.live) add_counters(t, *c);
  return t;
}

AllocTotals this_thread_alloc_totals() noexcept {
  AllocTotals t;
  add_counters(t, t_alloc_counters);
  return t;
}

bool alloc_counting_linked() noexcept { return g_hooks_linked.load(std::memory_order_relaxed); }

namespace detail {
void mark_alloc_hooks_linked() noexcept { g_hooks_linked.store(true, std::memory_order_relaxed); }
}  // namespace detail

}  // namespace fb::probes
