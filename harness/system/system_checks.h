// What makes benchmark numbers noisy on this machine, as one table of checks
// (system_checks.cpp): each check reads a few /proc and /sys files under a SystemRoot and says
// what it found, whether that is a problem and why it adds noise, the fix, and the file writes
// that `fasterbench system tune` would make (each undone by writing back the value it replaced).
//
// A setting the kernel does not expose here (no cpufreq on most VMs, no nohz_full without
// CONFIG_NO_HZ_FULL) is reported as not exposed, never guessed.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/host/sysinfo.h"
#include "harness/system/system_root.h"

namespace fb::harness::system {

enum class Status {
  ok,           // set as a benchmark wants it
  problem,      // adds noise; `check` exits 1
  advice,       // could be better, but costs a reboot or concerns a feature, not the noise
  info,         // a fact to know (CPU model, virtual machine), neither good nor bad
  not_exposed,  // the kernel does not expose it here (or it could not be measured)
  unreadable,   // exposed, but reading failed (the value says why)
};
std::string_view status_name(Status status);

// One write `tune` makes: `wanted` into `path` (relative to the root), where `previous` was
// read; `reset` writes `previous` back. Values are single words, written with a newline as
// echo(1) would.
struct Change {
  std::string path;
  std::string previous;
  std::string wanted;
};

struct Finding {
  std::string name;   // stable key for scripts: "aslr", "thp_enabled", ...
  std::string label;  // for people: "ASLR", "THP enabled", ...
  Status status = Status::info;
  std::string value;  // what was read, in words: "2 (full randomization)"
  std::string why;    // problem or advice: how it adds noise
  std::string fix;    // problem or advice: what to do about it
  std::vector<Change> changes;  // non-empty: `tune` can fix it
};

// CPU time of the whole machine over a window in which fasterbench itself sleeps: steal, and
// how busy other programs kept the CPUs. Both readings zero: /proc/stat is not exposed.
struct CpuSample {
  CpuTimes before, after;
  double seconds = 0;
  bool exposed = false;
};
CpuSample sample_cpu_times(const SystemRoot& root, std::chrono::milliseconds window);

// What one check reads; `fix` overrides the table's fix when the remedy depends on what was found.
struct Reading {
  Status status = Status::info;
  std::string value;
  std::vector<Change> changes;
  std::string fix;
};

// One row of the table. `tune` says what `tune` writes for it ("" when tune never changes it);
// the table in docs/system.md is this one in prose.
struct Check {
  std::string_view name, label;
  std::string_view why;  // how a problem here adds noise
  std::string_view fix;
  std::string_view tune;
  Reading (*read)(const SystemRoot& root, const CpuSample& sample);
};
std::span<const Check> all_checks();
// The label of the check named `name` (`name` itself when no check has it).
std::string_view check_label(std::string_view name);

// Whether `path` (relative to the root) is a file some check's Change may name: the kernel
// settings under proc/sys/kernel, sys/devices/system/cpu and sys/kernel/mm/transparent_hugepage.
// reset trusts a state file only as far as this.
bool tune_may_write(std::string_view path);

// Every check of the table, in its order.
std::vector<Finding> inspect(const SystemRoot& root, const CpuSample& sample);

// "0-3,6" from {0, 1, 2, 3, 6}; "" from {}.
std::string format_cpu_list(std::vector<int> cpus);
// {0, 1, 2, 3, 6} from "0-3,6\n"; throws std::invalid_argument on anything else.
std::vector<int> parse_cpu_list(std::string_view text);
// The value of a setting file: the selected word of a sysfs choice file ("madvise" from
// "always [madvise] never"), or the one word of any other ("2" from "2\n"; a fake tree holds a
// bare word after a write too). "" when the text is neither.
std::string selected_choice(std::string_view text);

}  // namespace fb::harness::system
