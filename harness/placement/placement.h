// Where the pipeline's threads run: the --pin policy and --cpus list of `run` and `phases`.
//
// Why: on a 2-vCPU VM, hello's P0 total p50 was 4.9-5.0 µs over six fresh processes with the
// whole process on one CPU, and 5.6-13.0 µs over six more when the OS placed the threads: a
// hand-off between threads costs what the placement makes it cost. The harness therefore
// controls placement and records it (context.placement, runs[].threads).
//
//   off     the OS decides, within the list
//   shared  every pipeline thread (clients, workers, event loops) on the first CPU of the list
//   split   clients on the first half of the list (at least one CPU), workers and their event
//           loops on the rest; on 2 CPUs, one each
//
// The list is --cpus, or every CPU this process may use. Threads are told apart by their
// names (framework/thread_names.h), so the pipeline needs no placement hook.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/placement/thread_census.h"

namespace fb::harness {

enum class PinPolicy { off, shared, split };
std::string_view pin_policy_name(PinPolicy policy);  // "off", "shared", "split"
std::optional<PinPolicy> pin_policy_from_name(std::string_view name);

struct Placement {
  PinPolicy policy = PinPolicy::off;
  std::vector<int> cpus;    // the list the policy works within
  std::vector<int> client;  // CPUs of the client threads
  std::vector<int> worker;  // CPUs of the workers and their event loops
};

// The placement `policy` makes of `cpu_list` ("" = every CPU this process may use). Throws
// UsageError naming the reason: a malformed list, a CPU this process may not use, split with
// fewer than two CPUs.
Placement plan_placement(PinPolicy policy, const std::string& cpu_list);

// Puts the calling thread on the CPUs the placement gives the process as a whole (shared: the
// one CPU; otherwise the list), so every thread it starts from now on inherits them.
void place_process(const Placement& placement);
// Names the calling thread client `index` and puts it on the client CPUs.
void place_client_thread(const Placement& placement, std::size_t index);
// Puts the workers and event loops that exist now on the worker CPUs (loops started later by a
// worker inherit its CPUs).
void place_pipeline_threads(const Placement& placement);

// Where a run's hand-offs went, from its threads' cpus_seen: "same CPU" (every client and every
// worker that ran stayed on one and the same CPU), "different CPUs" (each stayed on one CPU,
// clients' and workers' CPUs disjoint), "moved" (a client or worker ran on more than one CPU),
// "mixed" (anything else), or "no worker ran" (the direct path: no hand-off).
std::string handoff_placement(const std::vector<ThreadRecord>& threads);

}  // namespace fb::harness
