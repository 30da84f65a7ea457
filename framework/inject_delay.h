// A testing aid: a regression you can inject. `--inject-delay STAGE=NS` makes the pipeline
// busy-wait NS nanoseconds inside one stage of every request (between that stage's start and
// end stage points), so tests can prove that `fasterbench gate` catches a known slowdown and
// names the stage. `STAGE=NS/N` waits in 1 request in N only (counted per thread at the site:
// the N-th, 2N-th, ... request each thread runs through that stage), a stall on a fraction of
// requests, which is what an open loop's coordinated-omission correction must show. Not an
// optimization switch and never on by default.
//
// Where the wait sits, per stage (end point stamped after the wait):
//   route     after the router returns, before ROUTE_MATCHED (calling thread)
//   dispatch  on the worker after it dequeued the task, before DEQUEUE
//   gil       after GIL_REQUEST, before the worker attaches (the GIL is not held)
//   handler   after the Python call returns, before HANDLER_RETURN (GIL held)
//   marshal   after the result is converted, before MARSHAL_DONE (GIL held)
//   future    on the producer after FUTURE_SET, before completing the future
//   other     on the caller after FUTURE_OBSERVED, before RESPONSE_READY (no named stage)
// `total` is not accepted: every delay lands in total.
//
// `--inject-work STAGE=N` is the same regression counted in instructions instead of time (for
// `run --measure instructions`): N iterations of a loop the compiler cannot remove, at the same
// site. One iteration is a fixed handful of instructions, so the added count is exact and the
// same in every run. Only one of the two is active at a time (one stage per run).
//
// Cost when off: each site is one compare of a stage id against a constant that is never
// equal, a branch the predictor always gets right.
//
// SHARP EDGES: the delay lives in AppConfig; the paths that run handlers take it as an argument
// (python/handler_call.h) or in their AsyncRequest. A new path must pass it on, or gil, handler
// and marshal delays silently miss that path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "probes/stage_ids.h"

namespace fb {

struct InjectedDelay {
  fb_stage stage = FB_STAGE_COUNT;  // FB_STAGE_COUNT: no delay
  std::uint32_t ns = 0;             // --inject-delay: busy-wait this long
  std::uint32_t every = 1;          // wait in 1 request in `every` (per thread at the site); 1: all
  std::uint32_t work = 0;           // --inject-work: iterations of the work loop

  bool active() const noexcept { return stage != FB_STAGE_COUNT && (ns > 0 || work > 0); }
};

// Largest accepted delay: 10 ms, far beyond any useful regression and short enough that a
// typo cannot stall a run for minutes.
inline constexpr std::uint32_t kMaxInjectedDelayNs = 10'000'000;

// Parses "dispatch=2000" (stage name '=' whole nanoseconds) or "handler=5000000/100" (in 1
// request in 100). Throws std::invalid_argument with a one-line message naming the accepted
// stages, for: no '=', an unknown stage or `total`, a number that is not a whole number in
// [0, kMaxInjectedDelayNs], an N that is not a whole number in [1, 1000000].
InjectedDelay parse_injected_delay(std::string_view spec);

// Largest accepted work: 100 million iterations (a few hundred million instructions).
inline constexpr std::uint32_t kMaxInjectedWork = 100'000'000;

// Parses "marshal=5000" (stage name '=' whole iterations) into an InjectedDelay with `work` set.
// Throws std::invalid_argument as parse_injected_delay does (no "/N": work runs in every request).
InjectedDelay parse_injected_work(std::string_view spec);

// "dispatch=2000" or "handler=5000000/100", or "" when no delay is active.
std::string to_string(const InjectedDelay& delay);
// "marshal=5000", or "" when no work is injected.
std::string work_to_string(const InjectedDelay& delay);

// Spins (with a pause hint) until `ns` nanoseconds of CLOCK_MONOTONIC have passed.
void busy_wait_ns(std::uint32_t ns) noexcept;

// This thread's count of requests at the delayed site (1, 2, ...), for `every`.
std::uint32_t next_injection_count() noexcept;

// Runs `iterations` rounds of an LCG whose state the compiler must keep (an empty asm that
// reads and writes it): a fixed number of instructions per round, no memory traffic. Returns
// the state so that nothing about the loop is dead.
std::uint64_t run_injected_work(std::uint32_t iterations) noexcept;

// The hot-path check at the site of stage `here`.
inline void inject_delay(const InjectedDelay& delay, fb_stage here) noexcept {
  if (delay.stage == here) [[unlikely]] {
    if (delay.every <= 1 || next_injection_count() % delay.every == 0) {
      if (delay.ns > 0) busy_wait_ns(delay.ns);
      if (delay.work > 0) run_injected_work(delay.work);
    }
  }
}

}  // namespace fb
