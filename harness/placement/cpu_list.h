// CPU lists as the kernel and taskset spell them ("0-3,6"), and the CPUs a thread may use.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace fb::harness {

// "0-3,6" -> {0, 1, 2, 3, 6}: ascending, without duplicates. Throws std::invalid_argument
// naming the bad item ("'3-1': a range must go upwards").
std::vector<int> parse_cpu_list(std::string_view text);

// {0, 1, 2, 3, 6} -> "0-3,6"; {} -> "".
std::string format_cpu_list(const std::vector<int>& cpus);

// The CPUs thread `tid` may run on (0: the calling thread), ascending; empty if unreadable.
std::vector<int> thread_affinity(pid_t tid = 0);

// Restricts thread `tid` (0: the calling thread) to `cpus`. Throws std::runtime_error with
// the reason (EINVAL: none of them is allowed; EPERM: not ours).
void set_thread_affinity(pid_t tid, const std::vector<int>& cpus);

}  // namespace fb::harness
