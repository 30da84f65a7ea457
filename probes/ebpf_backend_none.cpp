// The eBPF backend of a build without one (cmake/fasterbench_ebpf.cmake says why, and passes
// the reason in FASTERBENCH_EBPF_REASON): every use reports it, and callers run in-process.
#include "probes/ebpf_backend.h"

#ifndef FASTERBENCH_EBPF_REASON
#define FASTERBENCH_EBPF_REASON "not configured"
#endif

namespace fb::probes {

namespace {
const std::string kReason = std::string("this build has no eBPF backend: ") + FASTERBENCH_EBPF_REASON;
}

struct EbpfBackend::Impl {};

EbpfBackend::EbpfBackend(EbpfOptions) { throw EbpfUnavailable(kReason); }
EbpfBackend::~EbpfBackend() = default;
void EbpfBackend::attach() { throw EbpfUnavailable(kReason); }
void EbpfBackend::detach() noexcept {}
bool EbpfBackend::attached() const noexcept { return false; }
void EbpfBackend::clear() {}
EbpfSnapshot EbpfBackend::collect() { return {}; }
std::string EbpfBackend::describe() const { return kReason; }

std::string ebpf_unavailable_reason() { return kReason; }
bool ebpf_compiled_in() noexcept { return false; }

}  // namespace fb::probes
