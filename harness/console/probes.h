// The probe sections `run` prints after the stage tables: per configuration with eBPF attached,
// the kernel's stage view with its on-/off-CPU split, worker wake-up latency, probe cost and
// overhead, the cross-validation table (--probes both), and with --probe-ab the
// attached-vs-detached comparison of total p50. Medians over repetitions, from typed records.
#pragma once

#include <cstdio>

#include "harness/results/results_model.h"

namespace fb::harness {

void print_probe_sections(const ResultsDocument& doc, std::FILE* out);

}  // namespace fb::harness
