#include "harness/system/system_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/text/join.h"
#include "probes/capabilities.h"
#include "probes/ebpf_backend.h"

namespace fb::harness::system {

namespace {

// Thresholds of the measured checks. A 1-minute load average of 1 means that, on average, one
// task besides the benchmark wanted a CPU all the time: on a small machine that is a CPU the
// benchmark's threads share. Busy and steal are shares of all CPU time over the sample window;
// /proc/stat counts in ticks (USER_HZ, 100 per second per CPU), so on 2 CPUs over 1 s one tick
// is about 0.5 %, and the value shows that resolution.
constexpr double kLoadProblem = 1.0;
constexpr double kBusyProblemPct = 5.0;
constexpr double kStealProblemPct = 1.0;

constexpr std::string_view kCpuDir = "sys/devices/system/cpu";
constexpr std::string_view kThpDir = "sys/kernel/mm/transparent_hugepage";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool has_word(std::string_view text, std::string_view word) {
  std::istringstream words{std::string(text)};
  std::string w;
  while (words >> w) {
    if (w == word || w == "[" + std::string(word) + "]") return true;
  }
  return false;
}

// cpu0, cpu1, ... under /sys/devices/system/cpu, in numeric order.
std::vector<int> cpu_numbers(const SystemRoot& root) {
  std::vector<int> cpus;
  for (const std::string& name : root.list(kCpuDir)) {
    if (name.size() > 3 && name.rfind("cpu", 0) == 0 && all_digits(std::string_view(name).substr(3)))
      cpus.push_back(std::stoi(name.substr(3)));
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

std::string cpu_dir(int cpu) { return fmt::format("{}/cpu{}", kCpuDir, cpu); }

// The value of the first "Key: value" line of a /proc text (/proc/PID/status, or /proc/cpuinfo
// with its "flags\t\t: ..."), without the white space around it; "" when there is none.
std::string field(std::string_view text, std::string_view key) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find_first_not_of(" \t", key.size());
    if (colon == std::string::npos || line[colon] != ':') continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

Reading not_exposed(std::string what) { return {Status::not_exposed, "not exposed (" + std::move(what) + ")", {}, ""}; }

Reading unreadable(std::string_view relative, const FileRead& f) {
  return {Status::unreadable, fmt::format("unreadable: /{}: {}", relative, f.error), {}, ""};
}

// ---- the readers, one per row of the table -------------------------------------------------

Reading read_cpus(const SystemRoot& root, const CpuSample&) {
  const std::string online_path = std::string(kCpuDir) + "/online";
  const FileRead online = root.read(online_path);
  if (online.state == FileRead::State::unreadable) return unreadable(online_path, online);
  if (!online.present()) return not_exposed("no /sys/devices/system/cpu/online");
  std::string value;
  try {
    value = fmt::format("{} online ({})", parse_cpu_list(online.text).size(), online.trimmed());
  } catch (const std::invalid_argument&) {
    return {Status::unreadable, fmt::format("unreadable: /{} holds '{}'", online_path, online.trimmed()), {}, ""};
  }
  const FileRead self = root.read("proc/self/status");
  const std::string allowed = self.present() ? field(self.text, "Cpus_allowed_list") : "";
  if (!allowed.empty()) value += "; this process may use " + allowed;
  return {Status::info, value, {}, ""};
}

Reading read_cpu_model(const SystemRoot& root, const CpuSample&) {
  const FileRead cpuinfo = root.read("proc/cpuinfo");
  if (cpuinfo.state == FileRead::State::unreadable) return unreadable("proc/cpuinfo", cpuinfo);
  const std::string model = cpuinfo.present() ? parse_cpu_model(cpuinfo.text) : "";
  if (model.empty()) return not_exposed("no model name in /proc/cpuinfo");
  return {Status::info, model, {}, ""};
}

Reading read_virtualization(const SystemRoot& root, const CpuSample&) {
  const FileRead cpuinfo = root.read("proc/cpuinfo");
  if (cpuinfo.state == FileRead::State::unreadable) return unreadable("proc/cpuinfo", cpuinfo);
  // The hypervisor's and the firmware's own names, where they are exposed.
  std::vector<std::string> names;
  for (const auto& [path, what] : {std::pair{"sys/hypervisor/type", "hypervisor"},
                                   std::pair{"sys/class/dmi/id/sys_vendor", "vendor"},
                                   std::pair{"sys/class/dmi/id/product_name", "product"}}) {
    const FileRead f = root.read(path);
    if (f.present() && !f.trimmed().empty()) names.push_back(fmt::format("{} {}", what, f.trimmed()));
  }
  const std::string named = names.empty() ? "" : " (" + join(names, ", ") + ")";
  // x86 CPUs running under a hypervisor set the `hypervisor` flag (CPUID leaf 1, ECX bit 31);
  // other architectures have no such flag, and then only the files above can tell.
  const std::string flags = cpuinfo.present() ? field(cpuinfo.text, "flags") : "";
  if (!flags.empty()) {
    const bool vm = has_word(flags, "hypervisor");
    return {Status::info, (vm ? "yes: the CPU reports a hypervisor" : "no: the CPU reports no hypervisor") + named, {}, ""};
  }
  // /sys/hypervisor/type exists only in a guest (Xen); firmware names alone prove nothing.
  if (root.exists("sys/hypervisor/type")) return {Status::info, "yes" + named, {}, ""};
  return not_exposed("no CPU flags in /proc/cpuinfo, no /sys/hypervisor/type" + (names.empty() ? "" : "; " + join(names, ", ")));
}

Reading read_governor(const SystemRoot& root, const CpuSample&) {
  std::map<std::string, std::vector<int>> by_governor;
  std::vector<std::string> errors;
  std::vector<Change> changes;
  bool performance_offered = true;
  for (int cpu : cpu_numbers(root)) {
    const std::string dir = cpu_dir(cpu) + "/cpufreq/";
    const FileRead governor = root.read(dir + "scaling_governor");
    if (governor.state == FileRead::State::absent) continue;
    if (!governor.present()) {
      errors.push_back(fmt::format("cpu{}: {}", cpu, governor.error));
      continue;
    }
    const std::string name = governor.trimmed();
    by_governor[name].push_back(cpu);
    if (name == "performance") continue;
    const FileRead available = root.read(dir + "scaling_available_governors");
    if (available.present() && !has_word(available.text, "performance")) {
      performance_offered = false;
      continue;
    }
    changes.push_back({dir + "scaling_governor", name, "performance"});
  }
  if (by_governor.empty() && errors.empty()) return not_exposed("no cpufreq under /sys/devices/system/cpu/cpu*/");
  std::vector<std::string> parts;
  for (const auto& [name, cpus] : by_governor) parts.push_back(fmt::format("{} on CPU {}", name, format_cpu_list(cpus)));
  if (!errors.empty()) parts.push_back("unreadable: " + join(errors, ", "));
  Reading r{Status::ok, join(parts, "; "), std::move(changes), ""};
  const bool slow_governor = std::any_of(by_governor.begin(), by_governor.end(),
                                         [](const auto& g) { return g.first != "performance"; });
  if (slow_governor) {
    r.status = Status::problem;
    if (!performance_offered) r.fix = "this cpufreq driver offers no performance governor (scaling_available_governors): "
                                      "set the highest fixed frequency it allows by hand";
  } else if (!errors.empty()) {
    r.status = Status::unreadable;
  }
  return r;
}

Reading read_boost(const SystemRoot& root, const CpuSample&) {
  // Each switch: where it is, and which of 0 and 1 means boost on.
  struct Switch {
    std::string path;
    bool inverted;  // intel_pstate's no_turbo: 1 = boost off
  };
  std::vector<Switch> switches = {{std::string(kCpuDir) + "/intel_pstate/no_turbo", true},
                                  {std::string(kCpuDir) + "/cpufreq/boost", false}};
  // Per-policy switches (amd-pstate, Linux 6.11+).
  for (const std::string& name : root.list(std::string(kCpuDir) + "/cpufreq")) {
    if (name.rfind("policy", 0) == 0) switches.push_back({std::string(kCpuDir) + "/cpufreq/" + name + "/boost", false});
  }
  std::vector<std::string> parts;
  std::vector<Change> changes;
  bool on = false, readable = true;
  for (const Switch& s : switches) {
    const FileRead f = root.read(s.path);
    if (f.state == FileRead::State::absent) continue;
    const std::string where = s.path.substr(kCpuDir.size() + 1);
    if (!f.present()) {
      readable = false;
      parts.push_back(fmt::format("{} unreadable: {}", where, f.error));
      continue;
    }
    const std::string v = f.trimmed();
    if (v != "0" && v != "1") {
      readable = false;
      parts.push_back(fmt::format("{} holds '{}'", where, v));
      continue;
    }
    const bool boost_on = (v == "1") != s.inverted;
    parts.push_back(fmt::format("{} ({} = {})", boost_on ? "on" : "off", where, v));
    if (boost_on) {
      on = true;
      changes.push_back({s.path, v, s.inverted ? "1" : "0"});
    }
  }
  if (parts.empty()) return not_exposed("no intel_pstate/no_turbo or cpufreq boost switch");
  return {on ? Status::problem : readable ? Status::ok : Status::unreadable, join(parts, "; "), std::move(changes), ""};
}

Reading read_aslr(const SystemRoot& root, const CpuSample&) {
  constexpr std::string_view kPath = "proc/sys/kernel/randomize_va_space";
  const FileRead f = root.read(kPath);
  if (f.state == FileRead::State::unreadable) return unreadable(kPath, f);
  if (!f.present()) return not_exposed("no /proc/sys/kernel/randomize_va_space");
  const std::string v = f.trimmed();
  if (v == "0") return {Status::ok, "0 (off)", {}, ""};
  if (v == "1") return {Status::problem, "1 (stack, mmap and vDSO randomized)", {{std::string(kPath), v, "0"}}, ""};
  if (v == "2") return {Status::problem, "2 (full: stack, mmap, vDSO and heap randomized)", {{std::string(kPath), v, "0"}}, ""};
  return {Status::unreadable, fmt::format("unknown value '{}'", v), {}, ""};
}

Reading read_isolation(const SystemRoot& root, const CpuSample&) {
  const std::string isolated_path = std::string(kCpuDir) + "/isolated";
  const FileRead isolated = root.read(isolated_path);
  if (isolated.state == FileRead::State::unreadable) return unreadable(isolated_path, isolated);
  if (!isolated.present()) return not_exposed("no /sys/devices/system/cpu/isolated");
  // nohz_full exists only in kernels built with CONFIG_NO_HZ_FULL, and reads "(null)" there
  // when the boot line set none.
  const FileRead nohz = root.read(std::string(kCpuDir) + "/nohz_full");
  const std::string nohz_value = !nohz.present()                                      ? "not exposed"
                                 : nohz.trimmed().empty() || nohz.trimmed() == "(null)" ? "none"
                                                                                        : nohz.trimmed();
  const std::string cpus = isolated.trimmed();
  const std::string value = fmt::format("isolcpus {}; nohz_full {}", cpus.empty() ? "none" : cpus, nohz_value);
  return {cpus.empty() ? Status::advice : Status::ok, value, {}, ""};
}

Reading read_irqbalance(const SystemRoot& root, const CpuSample&) {
  std::vector<std::string> pids;
  bool any_process = false;
  for (const std::string& name : root.list("proc")) {
    if (!all_digits(name)) continue;
    any_process = true;
    const FileRead comm = root.read("proc/" + name + "/comm");
    if (comm.present() && comm.trimmed() == "irqbalance") pids.push_back(name);
  }
  if (!any_process) return not_exposed("no processes visible under /proc");
  if (pids.empty()) return {Status::ok, "not running", {}, ""};
  return {Status::problem, fmt::format("running (pid {})", join(pids, ", ")), {}, ""};
}

Reading read_thp(const SystemRoot& root, std::string_view file) {
  const std::string path = std::string(kThpDir) + "/" + std::string(file);
  const FileRead f = root.read(path);
  if (f.state == FileRead::State::unreadable) return unreadable(path, f);
  if (!f.present()) return not_exposed("no /" + path);
  const std::string selected = selected_choice(f.text);
  if (selected.empty()) return {Status::unreadable, fmt::format("unreadable: /{} holds '{}'", path, f.trimmed()), {}, ""};
  if (selected != "always") return {Status::ok, selected, {}, ""};
  Reading r{Status::problem, selected, {}, ""};
  // A choice file lists what it accepts; a bare word (a fake tree) says nothing against madvise.
  const bool lists_choices = f.text.find('[') != std::string::npos;
  if (!lists_choices || has_word(f.text, "madvise")) r.changes.push_back({path, selected, "madvise"});
  else r.fix = "this kernel offers no madvise here: choose another value by hand";
  return r;
}

Reading read_thp_enabled(const SystemRoot& root, const CpuSample&) { return read_thp(root, "enabled"); }
Reading read_thp_defrag(const SystemRoot& root, const CpuSample&) { return read_thp(root, "defrag"); }

Reading read_load(const SystemRoot& root, const CpuSample&) {
  const FileRead f = root.read("proc/loadavg");
  if (f.state == FileRead::State::unreadable) return unreadable("proc/loadavg", f);
  if (!f.present()) return not_exposed("no /proc/loadavg");
  std::istringstream in(f.text);
  double one = 0, five = 0, fifteen = 0;
  if (!(in >> one >> five >> fifteen)) return {Status::unreadable, fmt::format("unreadable: /proc/loadavg holds '{}'", f.trimmed()), {}, ""};
  return {one >= kLoadProblem ? Status::problem : Status::ok, fmt::format("{:.2f} {:.2f} {:.2f} (1, 5, 15 min)", one, five, fifteen), {}, ""};
}

// Ticks of all kinds between the two readings (0: the window saw no time pass).
std::uint64_t total_ticks(const CpuSample& s) {
  return (s.after.busy - s.before.busy) + (s.after.idle - s.before.idle) + (s.after.steal - s.before.steal);
}

Reading read_share(const CpuSample& s, std::uint64_t part, double threshold_pct) {
  if (!s.exposed) return not_exposed("no /proc/stat");
  const std::uint64_t total = total_ticks(s);
  if (total == 0) return not_exposed("not measured: no CPU time passed between the two readings of /proc/stat");
  const double pct = 100.0 * static_cast<double>(part) / static_cast<double>(total);
  return {pct >= threshold_pct ? Status::problem : Status::ok,
          fmt::format("{:.1f} % of all CPU time over {:.1f} s (resolution {:.1f} %)", pct, s.seconds, 100.0 / static_cast<double>(total)),
          {}, ""};
}

Reading read_busy(const SystemRoot&, const CpuSample& s) {
  return read_share(s, s.after.busy - s.before.busy, kBusyProblemPct);
}

Reading read_steal(const SystemRoot&, const CpuSample& s) {
  return read_share(s, s.after.steal - s.before.steal, kStealProblemPct);
}

Reading read_perf_event_paranoid(const SystemRoot& root, const CpuSample&) {
  constexpr std::string_view kPath = "proc/sys/kernel/perf_event_paranoid";
  const FileRead f = root.read(kPath);
  if (f.state == FileRead::State::unreadable) return unreadable(kPath, f);
  if (!f.present()) return not_exposed("no /proc/sys/kernel/perf_event_paranoid");
  const std::string v = f.trimmed();
  int level = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), level);
  if (ec != std::errc() || end != v.data() + v.size()) return {Status::unreadable, fmt::format("unknown value '{}'", v), {}, ""};
  // Documentation/admin-guide/sysctl/kernel.rst; 3 and above is Debian's and Android's addition.
  const char* meaning = level <= -1  ? "no restrictions"
                        : level == 0 ? "users may profile their own processes and the kernel, no raw tracepoints"
                        : level == 1 ? "users may profile their own processes, user and kernel code"
                        : level == 2 ? "users may profile the user-space code of their own processes"
                                     : "users may not use perf_event_open at all";
  return {Status::info, fmt::format("{} ({})", v, meaning), {}, ""};
}

Reading read_hardware_counters(const SystemRoot& root, const CpuSample&) {
  constexpr std::string_view kDir = "sys/bus/event_source/devices";
  const std::vector<std::string> sources = root.list(kDir);
  if (sources.empty()) return not_exposed("no /sys/bus/event_source/devices");
  // The core PMU is "cpu" on x86 (cpu_core and cpu_atom on hybrid parts), armv8_pmuv3* on arm64.
  for (const std::string& s : sources) {
    if (s == "cpu" || s == "cpu_core" || s == "cpu_atom" || s.rfind("armv8_pmu", 0) == 0)
      return {Status::info, "yes (" + s + " PMU)", {}, ""};
  }
  return {Status::info, "none: no CPU PMU among the event sources (" + join(sources, ", ") + ")", {}, ""};
}

Reading read_ebpf(const SystemRoot& root, const CpuSample&) {
  const FileRead self = root.read("proc/self/status");
  const std::string cap_eff = self.present() ? field(self.text, "CapEff") : "";
  std::uint64_t effective = 0;
  const auto [end, ec] = std::from_chars(cap_eff.data(), cap_eff.data() + cap_eff.size(), effective, 16);
  const bool caps_known = !cap_eff.empty() && ec == std::errc() && end == cap_eff.data() + cap_eff.size();
  const std::string missing = caps_known ? probes::missing_bpf_capabilities(effective) : "";
  const bool btf = root.exists("sys/kernel/btf/vmlinux");
  const bool built_in = probes::ebpf_compiled_in();

  std::vector<std::string> parts, fixes;
  if (!caps_known) {
    parts.push_back("capabilities not exposed (no CapEff in /proc/self/status)");
  } else if (missing.empty()) {
    parts.push_back("capabilities yes");
  } else {
    parts.push_back("capabilities no");
    fixes.push_back(missing);
  }
  parts.push_back(btf ? "kernel BTF yes" : "kernel BTF no");
  if (!btf) fixes.push_back("the kernel has no BTF (/sys/kernel/btf/vmlinux): use one built with CONFIG_DEBUG_INFO_BTF");
  parts.push_back(built_in ? "backend built in" : "backend not built");
  if (!built_in) fixes.push_back(probes::ebpf_unavailable_reason());
  const bool ready = caps_known && missing.empty() && btf && built_in;
  return {ready ? Status::ok : Status::advice, join(parts, "; "), {}, join(fixes, "; ")};
}

// The table. Order: the machine, then what tune can change, then what only a person can, then
// the measured load, then the probes' prerequisites.
constexpr std::array kChecks = {
    Check{"cpus", "CPUs", "", "", "", read_cpus},
    Check{"cpu_model", "CPU model", "", "", "", read_cpu_model},
    Check{"virtual_machine", "virtual machine", "", "", "", read_virtualization},
    Check{"governor", "frequency governor",
          "a governor other than performance moves the clock with the load, so the same code runs at different "
          "speeds within a run and between runs",
          "`fasterbench system tune` sets performance (by hand: cpupower frequency-set -g performance)",
          "writes performance to each CPU's cpufreq/scaling_governor", read_governor},
    Check{"boost", "frequency boost",
          "boost (turbo) raises the clock only while power and temperature allow, so speed depends on how many "
          "cores are busy and for how long",
          "`fasterbench system tune` turns it off (by hand: 0 into cpufreq/boost, or 1 into intel_pstate/no_turbo)",
          "writes 0 to cpufreq/boost (or 1 to intel_pstate/no_turbo)", read_boost},
    Check{"aslr", "ASLR",
          "every process gets another memory layout, so cache and TLB conflicts, and with them the numbers, change "
          "from one process to the next (fasterbench's own measured children start with it off for themselves; "
          "this setting decides it for `run` and for every other program)",
          "`fasterbench system tune` sets 0 (by hand: sysctl -w kernel.randomize_va_space=0)",
          "writes 0 to /proc/sys/kernel/randomize_va_space", read_aslr},
    Check{"thp_enabled", "THP enabled",
          "with always, page faults may allocate and clear 2 MiB pages and khugepaged merges pages in the "
          "background: stalls that come and go between runs",
          "`fasterbench system tune` sets madvise (by hand: echo madvise > /sys/kernel/mm/transparent_hugepage/enabled)",
          "writes madvise to /sys/kernel/mm/transparent_hugepage/enabled", read_thp_enabled},
    Check{"thp_defrag", "THP defrag",
          "with always, a fault that wants a huge page compacts memory on the spot: long stalls at random",
          "`fasterbench system tune` sets madvise (by hand: echo madvise > /sys/kernel/mm/transparent_hugepage/defrag)",
          "writes madvise to /sys/kernel/mm/transparent_hugepage/defrag", read_thp_defrag},
    Check{"isolated_cpus", "isolated CPUs",
          "without isolated CPUs the scheduler puts other tasks, kernel threads and timer ticks on the CPUs the "
          "benchmark runs on",
          "boot with isolcpus=LIST nohz_full=LIST rcu_nocbs=LIST and run the benchmark on LIST (taskset -c LIST); "
          "it needs a reboot, so tune leaves it to you",
          "", read_isolation},
    Check{"irqbalance", "irqbalance",
          "irqbalance moves interrupt handling between CPUs every few seconds, so the benchmark's CPUs take a "
          "changing share of interrupts",
          "stop it while you measure (systemctl stop irqbalance, start it again after); tune never stops services",
          "", read_irqbalance},
    Check{"load", "load average",
          "other runnable tasks compete for the CPUs and caches the benchmark uses",
          "wait for the other work to finish or measure on a quieter machine; compare only measurements taken side "
          "by side in one run",
          "", read_load},
    Check{"busy", "CPU busy (sample)",
          "other programs used the CPUs while this command slept: they will compete with a benchmark as well",
          "wait for the other work to finish or measure on a quieter machine; compare only measurements taken side "
          "by side in one run",
          "", read_busy},
    Check{"steal", "steal (sample)",
          "the hypervisor ran other guests while this machine wanted the CPU: time a benchmark loses without being "
          "told",
          "nothing on this machine changes it: use dedicated CPUs or a quieter host, and compare only measurements "
          "taken side by side in one run (results record steal_pct)",
          "", read_steal},
    Check{"perf_event_paranoid", "perf_event_paranoid", "", "", "", read_perf_event_paranoid},
    Check{"hardware_counters", "hardware counters", "", "", "", read_hardware_counters},
    Check{"ebpf", "eBPF probes",
          "without it `--probes ebpf|both` falls back to the in-process clock (no off-CPU split); the measurements "
          "themselves are unaffected",
          "", "", read_ebpf},
};

}  // namespace

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::problem: return "problem";
    case Status::advice: return "advice";
    case Status::info: return "info";
    case Status::not_exposed: return "not exposed";
    case Status::unreadable: return "unreadable";
  }
  return "?";
}

CpuSample sample_cpu_times(const SystemRoot& root, std::chrono::milliseconds window) {
  CpuSample s;
  const FileRead first = root.read("proc/stat");
  if (!first.present()) return s;
  s.exposed = true;
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(window);
  const FileRead second = root.read("proc/stat");
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.before = parse_cpu_times(first.text);
  s.after = second.present() ? parse_cpu_times(second.text) : s.before;
  // Counters only grow; a reading that went backwards (a fake tree rewritten between the two
  // reads) is no measurement.
  if (s.after.busy < s.before.busy || s.after.idle < s.before.idle || s.after.steal < s.before.steal) s.after = s.before;
  return s;
}

std::span<const Check> all_checks() { return kChecks; }

std::string_view check_label(std::string_view name) {
  for (const Check& c : kChecks) {
    if (c.name == name) return c.label;
  }
  return name;
}

bool tune_may_write(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  for (std::string_view prefix : {std::string_view("proc/sys/kernel/"), std::string_view("sys/devices/system/cpu/"),
                                  std::string_view("sys/kernel/mm/transparent_hugepage/")}) {
    if (path.substr(0, prefix.size()) == prefix && path.size() > prefix.size()) return true;
  }
  return false;
}

std::vector<Finding> inspect(const SystemRoot& root, const CpuSample& sample) {
  std::vector<Finding> findings;
  for (const Check& check : kChecks) {
    Reading r = check.read(root, sample);
    Finding f;
    f.name = check.name;
    f.label = check.label;
    f.status = r.status;
    f.value = std::move(r.value);
    if (f.status == Status::problem || f.status == Status::advice) {
      f.why = check.why;
      f.fix = !r.fix.empty() ? std::move(r.fix) : std::string(check.fix);
      f.changes = std::move(r.changes);
    }
    findings.push_back(std::move(f));
  }
  return findings;
}

std::string format_cpu_list(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + (j == i ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]));
    i = j + 1;
  }
  return out;
}

std::vector<int> parse_cpu_list(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::vector<int> cpus;
  if (text.empty()) return cpus;
  const auto number = [&](std::string_view s) {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0) throw std::invalid_argument("not a CPU list: " + std::string(text));
    return v;
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(number(item));
    } else {
      const int first = number(item.substr(0, dash)), last = number(item.substr(dash + 1));
      if (last < first) throw std::invalid_argument("not a CPU list: " + std::string(text));
      for (int c = first; c <= last; ++c) cpus.push_back(c);
    }
    start = comma + 1;
  }
  return cpus;
}

std::string selected_choice(std::string_view text) {
  const auto open = text.find('[');
  if (open != std::string_view::npos) {
    const auto close = text.find(']', open);
    return close == std::string_view::npos ? "" : std::string(text.substr(open + 1, close - open - 1));
  }
  std::istringstream words{std::string(text)};
  std::string first, second;
  if (!(words >> first) || (words >> second)) return "";  // one bare word, or no selection at all
  return first;
}

}  // namespace fb::harness::system
