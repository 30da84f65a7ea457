// Which CPUs each thread of this process ran on, sampled by the threads themselves.
//
// Why: where the pipeline's threads run decides cross-thread costs by about 3x on a small VM,
// and the kernel keeps only each thread's last CPU (/proc/<tid>/stat). A thread that calls
// note_cpu() at its natural pauses (a client between requests, a worker between tasks, an
// event loop at each wake-up) records every CPU it is seen on, so a run can report, per thread,
// the set of CPUs it used.
//
// Cost: sched_getcpu() reads the CPU number from the rseq area glibc registers for every
// thread (no system call), then one bit test; a store only when the CPU is new in this window.
//
// Windows: begin_cpu_window() opens a new window (a run's measured part). Each thread clears
// its own bits at its first note in the new window, so only the owning thread ever writes its
// bits and no reset can be lost to a racing note. cpu_window() reads every thread's bits for
// the current window; a thread that noted nothing in it reports an empty set.
//
// Memory orders: the window number is published with release by begin_cpu_window() and read
// with acquire by note_cpu() (A) and cpu_window() (B); a thread stores its slot's window number
// with release after clearing its bits (C), and cpu_window() loads it with acquire (D), so a
// reader that sees the new window number also sees the cleared bits. The bits themselves are
// relaxed: a reader may miss a CPU noted at the very moment it reads, never see a stale one.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace fb::probes {

inline constexpr int kMaxCpus = 1024;  // CPU_SETSIZE

struct CpuSeenSlot {
  pid_t tid = 0;                                               // written once, before publication
  std::atomic<std::uint64_t> window{0};                        // C / D
  std::array<std::atomic<std::uint64_t>, kMaxCpus / 64> bits{};  // owner writes, anyone reads
};

namespace detail {
extern std::atomic<std::uint64_t> g_cpu_window;  // A / B: the current window, starts at 1
CpuSeenSlot* register_cpu_thread() noexcept;      // this thread's slot, created on first use
inline constinit thread_local CpuSeenSlot* t_cpu_slot = nullptr;
}  // namespace detail

// Records the CPU this thread runs on now.
inline void note_cpu() noexcept {
  CpuSeenSlot* slot = detail::t_cpu_slot;
  if (slot == nullptr) [[unlikely]] slot = detail::register_cpu_thread();
  const std::uint64_t window = detail::g_cpu_window.load(std::memory_order_acquire);  // A
  if (slot->window.load(std::memory_order_relaxed) != window) [[unlikely]] {
    for (auto& word : slot->bits) word.store(0, std::memory_order_relaxed);
    slot->window.store(window, std::memory_order_release);  // C
  }
  const int cpu = sched_getcpu();
  if (cpu < 0 || cpu >= kMaxCpus) return;
  auto& word = slot->bits[static_cast<std::size_t>(cpu) / 64];
  const std::uint64_t bit = 1ull << (static_cast<unsigned>(cpu) % 64);
  const std::uint64_t old = word.load(std::memory_order_relaxed);
  if ((old & bit) == 0) word.store(old | bit, std::memory_order_relaxed);
}

// Opens a new window: from now on every thread's set starts empty again.
void begin_cpu_window() noexcept;

struct ThreadCpus {
  pid_t tid = 0;
  std::vector<int> cpus;  // ascending; empty: the thread noted nothing in this window
};
// Every thread that ever called note_cpu() (exited ones included), with its CPUs in the
// current window.
std::vector<ThreadCpus> cpu_window();

}  // namespace fb::probes
