// The cost of one USDT probe hit, as the harness pays it: stage points of sampled requests
// fired in a tight loop, first with the eBPF programs loaded but detached (the semaphore check
// skips the probe), then attached (trap into the kernel, run the stage program, return).
#pragma once

#include "harness/results/results_model.h"
#include "probes/ebpf_backend.h"

namespace fb::harness {

// Leaves `backend` attached and cleared. Takes ~20 ms plus one attach.
HitCostCalibration calibrate_hit_cost(probes::EbpfBackend& backend);

}  // namespace fb::harness
