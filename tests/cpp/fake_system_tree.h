// A fake /proc + /sys tree of plain files for the `fasterbench system` tests: each test builds
// the machine it needs under a temporary directory, so no test reads or changes the real one.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fb::testing {

class FakeSystemTree {
 public:
  FakeSystemTree() {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("fb-system-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~FakeSystemTree() { std::filesystem::remove_all(dir_); }
  FakeSystemTree(const FakeSystemTree&) = delete;
  FakeSystemTree& operator=(const FakeSystemTree&) = delete;

  std::string root() const { return dir_.string(); }

  // Writes `text` at `relative`, creating the directories on the way.
  void put(const std::string& relative, const std::string& text) const {
    const std::filesystem::path p = dir_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }
  void remove(const std::string& relative) const { std::filesystem::remove_all(dir_ / relative); }
  std::string get(const std::string& relative) const {
    std::ifstream in(dir_ / relative, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // A machine a benchmark would like: every check ok (the load checks need a CpuSample too).
  void quiet_machine() const {
    put("proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 constant_tsc\n\n"
                        "processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 constant_tsc\n");
    put("proc/self/status", "Name:\tfasterbench\nCpus_allowed_list:\t0-3\nCapEff:\t000001ffffffffff\n");
    put("proc/1/comm", "init\n");
    put("proc/loadavg", "0.10 0.20 0.30 1/100 4242\n");
    put("proc/sys/kernel/randomize_va_space", "0\n");
    put("proc/sys/kernel/perf_event_paranoid", "2\n");
    put("sys/devices/system/cpu/online", "0-3\n");
    put("sys/devices/system/cpu/isolated", "2-3\n");
    put("sys/devices/system/cpu/nohz_full", "2-3\n");
    for (int cpu = 0; cpu < 4; ++cpu) {
      const std::string dir = "sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpufreq/";
      put(dir + "scaling_governor", "performance\n");
      put(dir + "scaling_available_governors", "performance powersave\n");
    }
    put("sys/devices/system/cpu/cpufreq/boost", "0\n");
    put("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
    put("sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n");
    put("sys/bus/event_source/devices/cpu/type", "4\n");
    put("sys/bus/event_source/devices/software/type", "1\n");
    put("sys/kernel/btf/vmlinux", "BTF");
  }

  // The same machine with every setting tune can change set the noisy way.
  void noisy_machine() const {
    quiet_machine();
    put("proc/sys/kernel/randomize_va_space", "2\n");
    put("sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "powersave\n");
    put("sys/devices/system/cpu/cpu3/cpufreq/scaling_governor", "schedutil\n");
    put("sys/devices/system/cpu/cpufreq/boost", "1\n");
    put("sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
    put("sys/kernel/mm/transparent_hugepage/defrag", "[always] defer defer+madvise madvise never\n");
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace fb::testing
