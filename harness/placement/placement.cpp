#include "harness/placement/placement.h"

#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "framework/thread_names.h"
#include "harness/cli/exit_codes.h"
#include "harness/placement/cpu_list.h"
#include "harness/placement/thread_census.h"

namespace fb::harness {

std::string_view pin_policy_name(PinPolicy policy) {
  switch (policy) {
    case PinPolicy::off: return "off";
    case PinPolicy::shared: return "shared";
    case PinPolicy::split: return "split";
  }
  return "off";
}

std::optional<PinPolicy> pin_policy_from_name(std::string_view name) {
  for (PinPolicy p : {PinPolicy::off, PinPolicy::shared, PinPolicy::split}) {
    if (pin_policy_name(p) == name) return p;
  }
  return std::nullopt;
}

Placement plan_placement(PinPolicy policy, const std::string& cpu_list) {
  const std::vector<int> allowed = thread_affinity(0);
  Placement p;
  p.policy = policy;
  if (cpu_list.empty()) {
    p.cpus = allowed;
  } else {
    try {
      p.cpus = parse_cpu_list(cpu_list);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--cpus: ") + e.what());
    }
    for (int c : p.cpus) {
      if (!std::binary_search(allowed.begin(), allowed.end(), c)) {
        throw UsageError("--cpus " + cpu_list + ": CPU " + std::to_string(c) + " is not in this process's allowed set (" +
                         format_cpu_list(allowed) + ")");
      }
    }
  }
  if (p.cpus.empty()) throw UsageError("--cpus: no CPU to run on");
  switch (policy) {
    case PinPolicy::off:
      p.client = p.worker = p.cpus;
      break;
    case PinPolicy::shared:
      p.client = p.worker = {p.cpus.front()};
      break;
    case PinPolicy::split: {
      if (p.cpus.size() < 2) {
        throw UsageError("--pin split puts clients and workers on different CPUs and needs at least 2; the list has " +
                         std::to_string(p.cpus.size()) + " (" + format_cpu_list(p.cpus) +
                         "): give more with --cpus, or use --pin shared");
      }
      const auto clients = static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, p.cpus.size() / 2));
      p.client.assign(p.cpus.begin(), p.cpus.begin() + clients);
      p.worker.assign(p.cpus.begin() + clients, p.cpus.end());
      break;
    }
  }
  return p;
}

void place_process(const Placement& placement) {
  set_thread_affinity(0, placement.policy == PinPolicy::shared ? placement.client : placement.cpus);
}

void place_client_thread(const Placement& placement, std::size_t index) {
  name_this_thread(kClientThreadPrefix, index);
  set_thread_affinity(0, placement.client);
}

void place_pipeline_threads(const Placement& placement) {
  for (const ThreadStat& t : read_thread_stats()) {
    if (t.role == ThreadRole::worker || t.role == ThreadRole::loop) set_thread_affinity(t.tid, placement.worker);
  }
}

std::string handoff_placement(const std::vector<ThreadRecord>& threads) {
  std::vector<int> clients, workers;
  for (const ThreadRecord& t : threads) {
    if (t.cpus_seen.empty()) continue;  // did not run in the measured part
    if (t.role != ThreadRole::client && t.role != ThreadRole::worker) continue;
    if (t.cpus_seen.size() > 1) return "moved";
    (t.role == ThreadRole::client ? clients : workers).push_back(t.cpus_seen.front());
  }
  if (workers.empty()) return "no worker ran";
  auto unique = [](std::vector<int>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique(clients);
  unique(workers);
  if (clients.size() == 1 && clients == workers) return "same CPU";
  std::vector<int> both;
  std::set_intersection(clients.begin(), clients.end(), workers.begin(), workers.end(), std::back_inserter(both));
  return both.empty() ? "different CPUs" : "mixed";
}

}  // namespace fb::harness
