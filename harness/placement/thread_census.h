// Every thread of this process as the kernel accounts for it: what it is (from its name, see
// framework/thread_names.h), where it may run and where it ran, how often it switched and
// migrated. A run reads all threads when its measured part starts and again when it ends, with
// every thread still alive; the differences are the run's runs[].threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fb::harness {

enum class ThreadRole { main, client, worker, loop, other };
std::string_view thread_role_name(ThreadRole role);  // "main", "client", "worker", "loop", "other"

// One reading of /proc/self/task/<tid>.
struct ThreadStat {
  pid_t tid = 0;
  std::string name;                   // comm
  ThreadRole role = ThreadRole::other;
  std::optional<int> index;           // N of fb-worker-N and the like
  int last_cpu = -1;                  // stat field 39: the CPU it last ran on
  std::uint64_t run_ns = 0;           // schedstat: time on a CPU
  std::uint64_t runqueue_ns = 0;      // schedstat: time runnable but waiting for a CPU
  std::optional<std::uint64_t> migrations;  // sched: se.nr_migrations (absent without CONFIG_SCHED_DEBUG)
  std::uint64_t voluntary_switches = 0;     // status: it blocked (waited for something)
  std::uint64_t involuntary_switches = 0;   // status: it was preempted
  std::vector<int> affinity;          // CPUs it may run on
};

// Every thread of this process now, by tid.
std::vector<ThreadStat> read_thread_stats();

// One thread over a run's measured part: runs[].threads[].
struct ThreadRecord {
  ThreadRole role = ThreadRole::other;
  std::optional<int> index;
  std::string name;
  pid_t tid = 0;
  std::vector<int> cpus_seen;  // CPUs it was seen on (probes/cpu_seen.h, plus its last CPU if it ran)
  std::vector<int> affinity;   // CPUs it may run on, at the end
  std::optional<std::uint64_t> migrations;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  double run_ms = 0;       // on a CPU
  double runqueue_ms = 0;  // runnable, waiting for a CPU
};

class ThreadCensus {
 public:
  // First reading; opens a new CPU window (probes/cpu_seen.h).
  void begin();
  // Second reading, against the first: one record per thread alive now (threads started since
  // begin() count from zero). Call while the run's threads are still alive.
  std::vector<ThreadRecord> end() const;

 private:
  std::vector<ThreadStat> start_;
};

}  // namespace fb::harness
