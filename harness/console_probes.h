// The probe sections printed after the stage tables, rendered from the results JSON: per
// configuration with eBPF attached, the kernel's stage view with its on-/off-CPU split, worker
// wake-up latency, probe cost and overhead, the cross-validation table (--probes both), and with
// --probe-ab the attached-vs-detached comparison of total p50.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>

namespace fb::harness {

void print_probe_sections(const nlohmann::json& doc, std::FILE* out);

}  // namespace fb::harness
