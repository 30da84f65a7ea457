// The effective capabilities the eBPF backend needs, read with capget(2) (no libcap).
#pragma once

#include <cstdint>
#include <string>

namespace fb::probes {

// "" when this process may load and attach tracing BPF programs as far as capabilities go
// (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, which the kernel accepts for both); otherwise a
// sentence naming the missing ones.
std::string missing_bpf_capabilities();

// The same judgement for any effective set: bit n is capability n, as the hexadecimal CapEff
// line of /proc/PID/status shows it (`fasterbench system` reads it there).
std::string missing_bpf_capabilities(std::uint64_t effective);

}  // namespace fb::probes
