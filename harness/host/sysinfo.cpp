#include "harness/host/sysinfo.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace fb::harness {

CpuTimes read_cpu_times() {
  std::ifstream stat("/proc/stat");
  std::string line;
  std::getline(stat, line);
  return parse_cpu_times(line);
}

CpuTimes parse_cpu_times(std::string_view proc_stat) {
  std::istringstream stat{std::string(proc_stat.substr(0, proc_stat.find('\n')))};
  std::string label;
  CpuTimes t;
  if (!(stat >> label) || label != "cpu") return t;
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  std::array<std::uint64_t, 8> f{};
  for (auto& v : f) stat >> v;
  t.busy = f[0] + f[1] + f[2] + f[5] + f[6];
  t.idle = f[3] + f[4];
  t.steal = f[7];
  return t;
}

std::optional<double> steal_percent(const CpuTimes& before, const CpuTimes& after) {
  if (after.busy < before.busy || after.idle < before.idle || after.steal < before.steal) return std::nullopt;
  const double total = static_cast<double>((after.busy - before.busy) + (after.idle - before.idle) + (after.steal - before.steal));
  if (total <= 0) return std::nullopt;  // unreadable (all zeros) or no tick elapsed
  return 100.0 * static_cast<double>(after.steal - before.steal) / total;
}

std::optional<double> mean_of_known(const std::vector<std::optional<double>>& values) {
  double sum = 0;
  std::size_t n = 0;
  for (const std::optional<double>& v : values) {
    if (!v) continue;
    sum += *v;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

MachineInfo machine_info() {
  MachineInfo m;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) m.host = host.data();
  utsname u{};
  if (uname(&u) == 0) m.kernel = u.release;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::ostringstream text;
  text << cpuinfo.rdbuf();
  m.cpu_model = parse_cpu_model(text.str());
  m.cpus = std::thread::hardware_concurrency();
  return m;
}

std::string parse_cpu_model(std::string_view cpuinfo) {
  std::istringstream lines{std::string(cpuinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) return "";
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

namespace {

// The source tree's revision at run time (the build may be older than the checkout; a dirty
// tree is marked). Falls back to the revision recorded at configure time.
std::string git_revision() {
  const std::string cmd = "git -C '" FASTERBENCH_SOURCE_DIR "' describe --always --dirty --abbrev=12 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 128> buf{};
    while (fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr) out += buf.data();
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? std::string(FASTERBENCH_GIT_REVISION) : out;
}

}  // namespace

BuildInfo build_info() {
  BuildInfo b;
#if defined(__clang__)
  b.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  b.compiler = "gcc " __VERSION__;
#endif
  b.build_type = FASTERBENCH_BUILD_TYPE;
  b.version = FASTERBENCH_VERSION;
  b.git_revision = git_revision();
  b.opt_direct = FASTERBENCH_OPT_DIRECT_ON;
  b.opt_lockfree = FASTERBENCH_OPT_LOCKFREE_ON;
  b.opt_subinterp = FASTERBENCH_OPT_SUBINTERP_ON;
  b.opt_inline_future = FASTERBENCH_OPT_INLINE_FUTURE_ON;
  b.opt_fast_marshal = FASTERBENCH_OPT_FAST_MARSHAL_ON;
  return b;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

}  // namespace fb::harness
