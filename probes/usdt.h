// USDT glue: one statically defined tracepoint per stage point (provider `fasterbench`, probe
// named like the point: kPointNames in probes/stage_names.h), each guarded by its semaphore.
//
// A probe site is a single `nop` plus an ELF note (`.note.stapsdt`) naming the provider, the
// probe, the site address, the semaphore address and the argument locations. A tracer that
// attaches (libbpf's bpf_program__attach_usdt, bpftrace, perf) makes the kernel increment the
// probe's semaphore in this process; while it is zero the site is skipped, so an unattached
// probe costs a load and a predictable branch, and only for requests the load generator
// sampled (framework/stage.h tests `sampled` first).
//
// Priming. A probe hit whose path is cold - this code, the semaphore, the kernel's lookup of
// the uprobe, the program - reaches the eBPF program's timestamp later than a warm one: on
// these VMs 0.4-0.5 µs later at 1 in 10 sampled requests and up to 1.5 µs at 1 in 100, and it
// is cold at a request's first point and at a thread's first point after a wake-up. Measured
// per point with the records' stamps (runs[].probes.ebpf.point_skew), it made the eBPF clock
// read dispatch ~0.5 µs longer and route 0.5-1.5 µs shorter than the in-process clock. So a
// sampled request fires each point's probe twice: first as a prime, before the stamp, with
// ticks kPrimeTicks (no stamp is 0), which the program only counts; then for real, right after
// the stamp, through the same code, uprobe and program, now warm. Every point's skew then stays
// within about 200 ns. A sampled point costs a prime and a hit (probe_cost.h calibrates both);
// the cross-validation counts them (harness/stats/cross_validation.h).
//
// Arguments of every probe: (request id, in-process clock ticks at the point). The eBPF side
// (probes/bpf/stages.bpf.c) keys its per-request state by the id and takes its own
// bpf_ktime_get_ns timestamps; the ticks let a reader line raw records up with the
// in-process trace.
//
// SHARP EDGES: the semaphore symbols must have C linkage and live in `.probes` (the note
// stores their addresses); they are defined once, in probes/usdt.cpp. Without <sys/sdt.h>
// (systemtap-sdt-dev) the probes compile to nothing and FASTERBENCH_HAVE_USDT is 0.
#pragma once

#include <cstdint>

#include "probes/stage_ids.h"

// One probe per entry of the point table (probes/stage_ids.h FB_POINTS), named like the point.
#if __has_include(<sys/sdt.h>)
#define FASTERBENCH_HAVE_USDT 1
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#define FB_USDT_SEMAPHORE(name) fasterbench_##name##_semaphore
#define FB_USDT_DECLARE_SEMAPHORE(point, name, stage_after, then) \
  extern "C" unsigned short FB_USDT_SEMAPHORE(name) __attribute__((unused)) __attribute__((section(".probes")));
FB_POINTS(FB_USDT_DECLARE_SEMAPHORE)
#undef FB_USDT_DECLARE_SEMAPHORE

// Non-zero while a tracer is attached. Read through volatile: the kernel writes it behind the
// compiler's back, and a loop must not hoist the load.
#define FB_USDT_ENABLED(name) \
  __builtin_expect(*static_cast<volatile unsigned short*>(&FB_USDT_SEMAPHORE(name)) != 0, 0)
#define FB_USDT_FIRE(name, request_id, ticks) STAP_PROBE2(fasterbench, name, request_id, ticks)
#else
#define FASTERBENCH_HAVE_USDT 0
#define FB_USDT_ENABLED(name) false
#define FB_USDT_FIRE(name, request_id, ticks) ((void)(request_id), (void)(ticks))
#endif

namespace fb::probes {

// The ticks argument that marks a prime.
inline constexpr std::uint64_t kPrimeTicks = 0;

// Fires `point`'s probe as a prime (ticks kPrimeTicks) when a tracer is attached. Called
// before the point's stamp, so the prime's own cost lands before the point.
[[gnu::cold]] void usdt_prime(fb_point point, std::uint64_t request_id) noexcept;

// Fires the USDT probe of `point` when a tracer is attached to it. Called by stage_point only
// for sampled requests, so it is out of line (one probe site per point, nothing added to the
// unsampled path) and marked cold.
[[gnu::cold]] void usdt_fire(fb_point point, std::uint64_t request_id, std::uint64_t ticks) noexcept;

// Whether this build has the probes (sys/sdt.h was found).
inline constexpr bool kHaveUsdt = FASTERBENCH_HAVE_USDT != 0;

}  // namespace fb::probes
