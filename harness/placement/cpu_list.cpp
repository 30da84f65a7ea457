#include "harness/placement/cpu_list.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace fb::harness {
namespace {

int parse_cpu(std::string_view item, std::string_view whole) {
  int value = -1;
  const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
  if (ec != std::errc() || end != item.data() + item.size() || item.empty()) {
    throw std::invalid_argument("'" + std::string(whole) + "': not a CPU number");
  }
  if (value >= CPU_SETSIZE) {
    throw std::invalid_argument("'" + std::string(whole) + "': CPU numbers go up to " + std::to_string(CPU_SETSIZE - 1));
  }
  return value;
}

}  // namespace

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty()) throw std::invalid_argument("'" + std::string(text) + "': empty item in the CPU list");
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      cpus.push_back(parse_cpu(item, item));
    } else {
      const int from = parse_cpu(item.substr(0, dash), item);
      const int to = parse_cpu(item.substr(dash + 1), item);
      if (to < from) throw std::invalid_argument("'" + std::string(item) + "': a range must go upwards");
      for (int c = from; c <= to; ++c) cpus.push_back(c);
    }
    start = comma + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::vector<int> thread_affinity(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(tid, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

void set_thread_affinity(pid_t tid, const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (sched_setaffinity(tid, sizeof set, &set) != 0) {
    throw std::runtime_error("cannot place thread " + std::to_string(tid) + " on CPUs " + format_cpu_list(cpus) + ": " +
                             std::strerror(errno));
  }
}

}  // namespace fb::harness
