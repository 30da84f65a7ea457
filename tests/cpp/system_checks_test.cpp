// `fasterbench system` checks over fake /proc + /sys trees: each problem is found, each good
// setting is not called one, and a file the kernel does not expose is "not exposed".
#include "harness/system/system_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "fake_system_tree.h"
#include "probes/capabilities.h"
#include "probes/ebpf_backend.h"

using namespace fb::harness::system;
using fb::testing::FakeSystemTree;

namespace {

// /proc/stat's aggregate line: user nice system idle iowait irq softirq steal.
std::string stat_line(std::uint64_t user, std::uint64_t idle, std::uint64_t steal) {
  return "cpu  " + std::to_string(user) + " 0 0 " + std::to_string(idle) + " 0 0 0 " + std::to_string(steal) + " 0 0\n";
}

// A sample in which, over one second, `busy` and `steal` of `total` ticks went to other
// programs and to other guests.
CpuSample sample(std::uint64_t busy, std::uint64_t steal, std::uint64_t total) {
  CpuSample s;
  s.exposed = true;
  s.seconds = 1.0;
  s.before = fb::harness::parse_cpu_times(stat_line(1000, 5000, 10));
  s.after = fb::harness::parse_cpu_times(stat_line(1000 + busy, 5000 + (total - busy - steal), 10 + steal));
  return s;
}

CpuSample quiet_sample() { return sample(0, 0, 200); }

Finding find(const std::vector<Finding>& findings, const std::string& name) {
  const auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.name == name; });
  if (it == findings.end()) throw std::logic_error("no check named " + name);
  return *it;
}

Finding inspect_one(const FakeSystemTree& tree, const std::string& name, const CpuSample& s = quiet_sample()) {
  return find(inspect(SystemRoot(tree.root()), s), name);
}

}  // namespace

TEST(SystemChecks, TableRowsThatCanBeProblemsSayWhyAndHowToFix) {
  for (const Check& c : all_checks()) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_FALSE(c.label.empty());
    EXPECT_EQ(c.why.empty(), c.fix.empty() && c.name != "ebpf");  // ebpf's fix depends on what is missing
  }
}

TEST(SystemChecks, AnEmptyTreeIsNotExposedEverywhereNeverGuessed) {
  FakeSystemTree tree;
  for (const Finding& f : inspect(SystemRoot(tree.root()), CpuSample{})) {
    SCOPED_TRACE(f.name);
    if (f.name == "ebpf") {
      // No CapEff, no BTF: the backend cannot be used; said as advice, not as a problem.
      EXPECT_EQ(f.status, Status::advice);
      EXPECT_NE(f.value.find("capabilities not exposed"), std::string::npos) << f.value;
      continue;
    }
    EXPECT_EQ(f.status, Status::not_exposed) << f.value;
    EXPECT_EQ(f.value.rfind("not exposed", 0), 0u) << f.value;
    EXPECT_TRUE(f.changes.empty());
  }
}

TEST(SystemChecks, AQuietMachineHasNoProblem) {
  FakeSystemTree tree;
  tree.quiet_machine();
  for (const Finding& f : inspect(SystemRoot(tree.root()), quiet_sample())) {
    SCOPED_TRACE(f.name + ": " + f.value);
    EXPECT_NE(f.status, Status::problem);
    EXPECT_NE(f.status, Status::not_exposed);
    EXPECT_NE(f.status, Status::unreadable);
    if (f.name == "ebpf") {
      EXPECT_EQ(f.status, fb::probes::ebpf_compiled_in() ? Status::ok : Status::advice);
    } else {
      EXPECT_NE(f.status, Status::advice);
    }
    EXPECT_TRUE(f.changes.empty());
    EXPECT_TRUE(f.why.empty());
  }
}

TEST(SystemChecks, MachineFacts) {
  FakeSystemTree tree;
  tree.quiet_machine();
  EXPECT_EQ(inspect_one(tree, "cpus").value, "4 online (0-3); this process may use 0-3");
  EXPECT_EQ(inspect_one(tree, "cpu_model").value, "Test CPU 9000");
  EXPECT_EQ(inspect_one(tree, "virtual_machine").value, "no: the CPU reports no hypervisor");
  EXPECT_EQ(inspect_one(tree, "perf_event_paranoid").value,
            "2 (users may profile the user-space code of their own processes)");
  EXPECT_EQ(inspect_one(tree, "hardware_counters").value, "yes (cpu PMU)");
  EXPECT_EQ(inspect_one(tree, "isolated_cpus").value, "isolcpus 2-3; nohz_full 2-3");
}

TEST(SystemChecks, VirtualMachineFromTheHypervisorFlagOnly) {
  FakeSystemTree tree;
  tree.put("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor sse2\n");
  EXPECT_EQ(inspect_one(tree, "virtual_machine").value, "yes: the CPU reports a hypervisor");
  tree.put("sys/class/dmi/id/sys_vendor", "QEMU\n");
  EXPECT_EQ(inspect_one(tree, "virtual_machine").value, "yes: the CPU reports a hypervisor (vendor QEMU)");
  // Without CPU flags, firmware names prove nothing: not exposed, and the names are shown.
  tree.put("proc/cpuinfo", "processor\t: 0\nCPU part\t: 0xd0c\n");
  const Finding f = inspect_one(tree, "virtual_machine");
  EXPECT_EQ(f.status, Status::not_exposed);
  EXPECT_NE(f.value.find("vendor QEMU"), std::string::npos) << f.value;
  tree.put("sys/hypervisor/type", "xen\n");
  EXPECT_EQ(inspect_one(tree, "virtual_machine").value, "yes (hypervisor xen, vendor QEMU)");
}

TEST(SystemChecks, GovernorOtherThanPerformanceIsAProblemPerCpu) {
  FakeSystemTree tree;
  tree.noisy_machine();
  const Finding f = inspect_one(tree, "governor");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_EQ(f.value, "performance on CPU 0,2; powersave on CPU 1; schedutil on CPU 3");
  ASSERT_EQ(f.changes.size(), 2u);
  EXPECT_EQ(f.changes[0].path, "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor");
  EXPECT_EQ(f.changes[0].previous, "powersave");
  EXPECT_EQ(f.changes[0].wanted, "performance");
  EXPECT_EQ(f.changes[1].previous, "schedutil");
  EXPECT_FALSE(f.why.empty());
}

TEST(SystemChecks, GovernorWithoutAPerformanceChoiceCannotBeTuned) {
  FakeSystemTree tree;
  tree.put("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "ondemand\n");
  tree.put("sys/devices/system/cpu/cpu0/cpufreq/scaling_available_governors", "ondemand userspace\n");
  const Finding f = inspect_one(tree, "governor");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_TRUE(f.changes.empty());
  EXPECT_NE(f.fix.find("offers no performance governor"), std::string::npos) << f.fix;
}

TEST(SystemChecks, GovernorNotExposedWithoutCpufreq) {
  FakeSystemTree tree;
  tree.put("sys/devices/system/cpu/cpu0/topology/core_id", "0\n");
  tree.put("sys/devices/system/cpu/cpufreq/.keep", "");  // the empty directory of a VM
  EXPECT_EQ(inspect_one(tree, "governor").status, Status::not_exposed);
  EXPECT_EQ(inspect_one(tree, "boost").status, Status::not_exposed);
}

TEST(SystemChecks, BoostOnIsAProblemEitherWayItIsSpelled) {
  FakeSystemTree tree;
  tree.put("sys/devices/system/cpu/cpufreq/boost", "1\n");
  Finding f = inspect_one(tree, "boost");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_EQ(f.value, "on (cpufreq/boost = 1)");
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_EQ(f.changes[0].wanted, "0");

  tree.remove("sys/devices/system/cpu/cpufreq/boost");
  tree.put("sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");
  f = inspect_one(tree, "boost");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_EQ(f.value, "on (intel_pstate/no_turbo = 0)");
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_EQ(f.changes[0].wanted, "1");

  tree.put("sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
  f = inspect_one(tree, "boost");
  EXPECT_EQ(f.status, Status::ok);
  EXPECT_EQ(f.value, "off (intel_pstate/no_turbo = 1)");
}

TEST(SystemChecks, AslrOnIsAProblemOffIsNot) {
  FakeSystemTree tree;
  for (const auto& [value, status] : {std::pair{"2", Status::problem}, std::pair{"1", Status::problem},
                                      std::pair{"0", Status::ok}}) {
    tree.put("proc/sys/kernel/randomize_va_space", std::string(value) + "\n");
    const Finding f = inspect_one(tree, "aslr");
    EXPECT_EQ(f.status, status) << value;
    EXPECT_EQ(f.value.substr(0, 1), value);
    EXPECT_EQ(f.changes.size(), status == Status::problem ? 1u : 0u);
    if (!f.changes.empty()) {
      EXPECT_EQ(f.changes[0].previous, value);
      EXPECT_EQ(f.changes[0].wanted, "0");
    }
  }
}

TEST(SystemChecks, AFileThatCannotBeReadIsUnreadableNotGuessed) {
  FakeSystemTree tree;
  tree.put("proc/sys/kernel/randomize_va_space/x", "");  // a directory where the file should be
  const Finding f = inspect_one(tree, "aslr");
  EXPECT_EQ(f.status, Status::unreadable);
  EXPECT_NE(f.value.find("randomize_va_space"), std::string::npos) << f.value;
  EXPECT_TRUE(f.changes.empty());
}

TEST(SystemChecks, TransparentHugePagesAlwaysIsAProblem) {
  FakeSystemTree tree;
  tree.noisy_machine();
  for (const char* name : {"thp_enabled", "thp_defrag"}) {
    const Finding f = inspect_one(tree, name);
    EXPECT_EQ(f.status, Status::problem) << name;
    EXPECT_EQ(f.value, "always");
    ASSERT_EQ(f.changes.size(), 1u);
    EXPECT_EQ(f.changes[0].previous, "always");
    EXPECT_EQ(f.changes[0].wanted, "madvise");
  }
  tree.put("sys/kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n");
  tree.put("sys/kernel/mm/transparent_hugepage/defrag", "always [defer+madvise] madvise never\n");
  EXPECT_EQ(inspect_one(tree, "thp_enabled").status, Status::ok);
  EXPECT_EQ(inspect_one(tree, "thp_enabled").value, "never");
  EXPECT_EQ(inspect_one(tree, "thp_defrag").status, Status::ok);
  // A kernel that offers no madvise: still a problem, but tune has nothing it may write.
  tree.put("sys/kernel/mm/transparent_hugepage/enabled", "[always] never\n");
  const Finding f = inspect_one(tree, "thp_enabled");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_TRUE(f.changes.empty());
}

TEST(SystemChecks, NoIsolatedCpuIsAdviceNotAProblem) {
  FakeSystemTree tree;
  tree.put("sys/devices/system/cpu/isolated", "\n");
  Finding f = inspect_one(tree, "isolated_cpus");
  EXPECT_EQ(f.status, Status::advice);
  EXPECT_EQ(f.value, "isolcpus none; nohz_full not exposed");
  EXPECT_NE(f.fix.find("isolcpus="), std::string::npos);
  tree.put("sys/devices/system/cpu/nohz_full", "(null)\n");
  EXPECT_EQ(inspect_one(tree, "isolated_cpus").value, "isolcpus none; nohz_full none");
}

TEST(SystemChecks, RunningIrqbalanceIsAProblemTuneLeavesAlone) {
  FakeSystemTree tree;
  tree.quiet_machine();
  EXPECT_EQ(inspect_one(tree, "irqbalance").value, "not running");
  tree.put("proc/812/comm", "irqbalance\n");
  const Finding f = inspect_one(tree, "irqbalance");
  EXPECT_EQ(f.status, Status::problem);
  EXPECT_EQ(f.value, "running (pid 812)");
  EXPECT_TRUE(f.changes.empty());
  EXPECT_NE(f.fix.find("systemctl stop irqbalance"), std::string::npos);
}

TEST(SystemChecks, LoadAverageOfOneOrMoreIsAProblem) {
  FakeSystemTree tree;
  tree.put("proc/loadavg", "0.99 2.00 3.00 1/100 4242\n");
  EXPECT_EQ(inspect_one(tree, "load").status, Status::ok);
  EXPECT_EQ(inspect_one(tree, "load").value, "0.99 2.00 3.00 (1, 5, 15 min)");
  tree.put("proc/loadavg", "1.00 0.50 0.20 2/100 4242\n");
  EXPECT_EQ(inspect_one(tree, "load").status, Status::problem);
}

TEST(SystemChecks, BusyAndStealOverTheSample) {
  FakeSystemTree tree;
  // 200 ticks in the window: one tick is 0.5 %.
  Finding busy = inspect_one(tree, "busy", sample(9, 1, 200));
  EXPECT_EQ(busy.status, Status::ok);
  EXPECT_EQ(busy.value, "4.5 % of all CPU time over 1.0 s (resolution 0.5 %)");
  EXPECT_EQ(inspect_one(tree, "busy", sample(10, 0, 200)).status, Status::problem);
  EXPECT_EQ(inspect_one(tree, "steal", sample(0, 1, 200)).status, Status::ok);
  Finding steal = inspect_one(tree, "steal", sample(0, 2, 200));
  EXPECT_EQ(steal.status, Status::problem);
  EXPECT_EQ(steal.value, "1.0 % of all CPU time over 1.0 s (resolution 0.5 %)");
  // Two identical readings (a fake tree, or --sample-ms 0): not measured, never 0 %.
  const Finding none = inspect_one(tree, "steal", sample(0, 0, 0));
  EXPECT_EQ(none.status, Status::not_exposed);
  EXPECT_NE(none.value.find("not measured"), std::string::npos) << none.value;
}

TEST(SystemChecks, SampleReadsProcStatUnderTheRoot) {
  FakeSystemTree tree;
  EXPECT_FALSE(sample_cpu_times(SystemRoot(tree.root()), std::chrono::milliseconds(0)).exposed);
  tree.put("proc/stat", stat_line(100, 900, 7) + "cpu0 50 0 0 450 0 0 0 3 0 0\n");
  const CpuSample s = sample_cpu_times(SystemRoot(tree.root()), std::chrono::milliseconds(0));
  EXPECT_TRUE(s.exposed);
  EXPECT_EQ(s.before.busy, 100u);
  EXPECT_EQ(s.before.idle, 900u);
  EXPECT_EQ(s.after.steal, 7u);
}

TEST(SystemChecks, EbpfSaysWhatIsMissing) {
  FakeSystemTree tree;
  tree.quiet_machine();
  tree.put("proc/self/status", "Name:\tfasterbench\nCapEff:\t0000000000000000\n");
  Finding f = inspect_one(tree, "ebpf");
  EXPECT_EQ(f.status, Status::advice);
  EXPECT_NE(f.value.find("capabilities no"), std::string::npos) << f.value;
  EXPECT_NE(f.fix.find("CAP_BPF and CAP_PERFMON"), std::string::npos) << f.fix;
  tree.remove("sys/kernel/btf");
  f = inspect_one(tree, "ebpf");
  EXPECT_NE(f.value.find("kernel BTF no"), std::string::npos) << f.value;
  EXPECT_NE(f.fix.find("CONFIG_DEBUG_INFO_BTF"), std::string::npos) << f.fix;
}

TEST(SystemChecks, EveryChangeIsOneTuneMayWrite) {
  FakeSystemTree tree;
  tree.noisy_machine();
  std::size_t changes = 0;
  for (const Finding& f : inspect(SystemRoot(tree.root()), quiet_sample())) {
    for (const Change& c : f.changes) {
      EXPECT_TRUE(tune_may_write(c.path)) << c.path;
      ++changes;
    }
  }
  EXPECT_EQ(changes, 6u);  // ASLR, two governors, boost, THP enabled and defrag
  for (const char* bad : {"", "/proc/sys/kernel/randomize_va_space", "etc/passwd", "proc/sys/kernel/../../../etc/passwd",
                          "proc/sys/kernel/", "sys//kernel/mm/transparent_hugepage/enabled", "proc/sys/vm/./x"})
    EXPECT_FALSE(tune_may_write(bad)) << bad;
}

TEST(SystemChecksText, CpuLists) {
  EXPECT_EQ(format_cpu_list({3, 0, 1, 2, 6}), "0-3,6");
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({5}), "5");
  EXPECT_EQ(parse_cpu_list("0-3,6\n"), (std::vector<int>{0, 1, 2, 3, 6}));
  EXPECT_EQ(parse_cpu_list("\n"), std::vector<int>{});
  EXPECT_THROW(parse_cpu_list("3-1"), std::invalid_argument);
  EXPECT_THROW(parse_cpu_list("a"), std::invalid_argument);
  EXPECT_THROW(parse_cpu_list("1,,2"), std::invalid_argument);
}

TEST(SystemChecksText, SelectedChoice) {
  EXPECT_EQ(selected_choice("always [madvise] never\n"), "madvise");
  EXPECT_EQ(selected_choice("madvise\n"), "madvise");
  EXPECT_EQ(selected_choice("2\n"), "2");
  EXPECT_EQ(selected_choice("always madvise never\n"), "");
  EXPECT_EQ(selected_choice(""), "");
}

TEST(Capabilities, FromAnEffectiveSet) {
  constexpr std::uint64_t kSysAdmin = 1ull << 21, kPerfmon = 1ull << 38, kBpf = 1ull << 39;
  EXPECT_EQ(fb::probes::missing_bpf_capabilities(kSysAdmin), "");
  EXPECT_EQ(fb::probes::missing_bpf_capabilities(kBpf | kPerfmon), "");
  EXPECT_NE(fb::probes::missing_bpf_capabilities(kBpf).find("lacks CAP_PERFMON ("), std::string::npos);
  EXPECT_NE(fb::probes::missing_bpf_capabilities(0).find("lacks CAP_BPF and CAP_PERFMON"), std::string::npos);
}
