#include "probes/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace fb::probes {
namespace {

// CAP_PERFMON and CAP_BPF appeared in Linux 5.8; older headers do not name them.
constexpr int kCapSysAdmin = 21;
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has(std::uint64_t effective, int cap) { return (effective >> cap & 1u) != 0; }

}  // namespace

std::string missing_bpf_capabilities(std::uint64_t effective) {
  if (has(effective, kCapSysAdmin)) return "";
  std::vector<const char*> missing;
  if (!has(effective, kCapBpf)) missing.push_back("CAP_BPF");
  if (!has(effective, kCapPerfmon)) missing.push_back("CAP_PERFMON");
  if (missing.empty()) return "";
  std::string names;
  for (const char* m : missing) names += (names.empty() ? "" : " and ") + std::string(m);
  return "this process lacks " + names +
         " (run as root, or grant them: setcap cap_bpf,cap_perfmon+ep <fasterbench binary>)";
}

std::string missing_bpf_capabilities() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return "cannot read this process's capabilities (capget failed)";
  const std::uint64_t effective = static_cast<std::uint64_t>(data[1].effective) << 32 | data[0].effective;
  return missing_bpf_capabilities(effective);
}

}  // namespace fb::probes
