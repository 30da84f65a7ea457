// The cost of the USDT probes, as the harness pays it: stage points of sampled requests fired in
// a tight loop, first with the eBPF programs loaded but detached (the semaphore check skips the
// probe), then attached (trap into the kernel, run the stage program, return). Measured three
// ways: a whole sampled point (prime, stamp, hit: what a request pays, and what the
// cross-validation subtracts per point), a hit alone and a prime alone (probes/usdt.h).
#pragma once

#include "harness/results/results_model.h"
#include "probes/ebpf_backend.h"

namespace fb::harness {

// Leaves `backend` attached and cleared. Takes ~50 ms plus one attach.
HitCostCalibration calibrate_hit_cost(probes::EbpfBackend& backend);

}  // namespace fb::harness
