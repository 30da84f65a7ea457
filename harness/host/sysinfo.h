// Facts about the machine and the build, for the results `context` block, and the CPU-time
// counters from /proc/stat that give steal time over a run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fb::harness {

struct CpuTimes {
  std::uint64_t busy = 0;   // user + nice + system + irq + softirq
  std::uint64_t idle = 0;   // idle + iowait
  std::uint64_t steal = 0;  // time the hypervisor ran someone else while we wanted the CPU
};

// The aggregate "cpu" line of /proc/stat (zeros where it cannot be read).
CpuTimes read_cpu_times();
// The same from the text of a /proc/stat file (`fasterbench system` reads it under a root).
CpuTimes parse_cpu_times(std::string_view proc_stat);

// Steal as a percentage of all CPU time between two readings; none when it cannot be told
// (/proc/stat unreadable, or no CPU time elapsed): "unknown", never a made-up 0.
std::optional<double> steal_percent(const CpuTimes& before, const CpuTimes& after);
// The mean of the values that are known; none when none is.
std::optional<double> mean_of_known(const std::vector<std::optional<double>>& values);

struct MachineInfo {
  std::string host, cpu_model, kernel;
  unsigned cpus = 0;
};
MachineInfo machine_info();
// The first "model name" of a /proc/cpuinfo text ("" when there is none).
std::string parse_cpu_model(std::string_view cpuinfo);

struct BuildInfo {
  std::string compiler, build_type, git_revision, version;
  bool opt_direct, opt_lockfree, opt_subinterp, opt_inline_future, opt_fast_marshal;  // CMake options
};
BuildInfo build_info();

// Current UTC time, ISO 8601 ("2026-11-27T05:04:34Z").
std::string utc_now_iso8601();

}  // namespace fb::harness
