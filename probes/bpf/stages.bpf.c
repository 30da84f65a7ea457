// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stages: the kernel half of the eBPF stage probe. One program, attached to every
 * fasterbench:<point> USDT probe of the harness's own process (the loader passes the point as
 * the attach cookie). On each hit it stamps bpf_ktime_get_ns into the request's state (keyed by
 * the request id the probe carries), moves the thread to the stage that follows the point, and
 * at `response_ready` turns the stamps into stage latencies exactly as
 * probes/stage_latencies.cpp does, records them into per-stage log-linear histograms (.bss,
 * read and cleared by user space) and sends one raw record through the ring buffer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "fb_hist.bpf.h"
#include "fb_shared.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader between open and load. */
const volatile __u32 targ_tgid = 0;

/* Results, read and cleared by user space through the skeleton's mmap-ed .bss. */
__u64 stage_hist[FB_STAGE_COUNT][FB_HIST_BUCKETS];
struct fb_hist_totals stage_totals[FB_STAGE_COUNT];
__s64 stage_signed_sum[FB_STAGE_COUNT]; /* `other` can be negative: its histogram holds |v| */
__u64 stage_off_cpu_ns[FB_STAGE_COUNT];
__u64 stage_on_cpu_ns[FB_STAGE_COUNT];

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fb_stages_counters);
} fb_stage_counters SEC(".maps");

/* Atomic adds even though per CPU: a uprobe program can be preempted (it only disables
 * migration), and another thread's hit on the same CPU would then interleave. */
static __always_inline struct fb_stages_counters *counters(void)
{
  __u32 zero = 0;

  return bpf_map_lookup_elem(&fb_stage_counters, &zero);
}

/* An all-zero request state to insert at `arrive`: the state is too large for the 512-byte BPF
 * stack. Never written. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fb_request_state);
} fb_fresh_request SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, FB_RECORDS_BYTES);
} fb_records SEC(".maps");

/* The stage a thread executes after hitting `point`, or FB_THREAD_IDLE when the point hands the
 * request to another thread (enqueue, future_set) or ends it: the point table's `stage_after`
 * and `then` (probes/stage_ids.h). See fb_shared.bpf.h. */
#define FB_THEN_RUNS(stage) stage
#define FB_THEN_HANDS_OFF(stage) FB_THREAD_IDLE
#define FB_THEN_ENDS(stage) FB_THREAD_IDLE
static __always_inline __u32 stage_after(__u64 point)
{
  switch (point) {
#define FB_STAGE_AFTER_CASE(id, name, stage, then) \
  case FB_POINT_##id: return FB_THEN_##then(FB_STAGE_##stage);
  FB_POINTS(FB_STAGE_AFTER_CASE)
#undef FB_STAGE_AFTER_CASE
  default: return FB_THREAD_IDLE;
  }
}

/* Charges the receiver's off-CPU time inside a hand-off span [from, to] to `stage`. */
static __always_inline void charge_handoff(struct fb_request_state *r, struct fb_thread_state *t,
                                           __u32 stage, __u64 from, __u64 to)
{
  __u64 sum = 0;

  if (!from || stage >= FB_STAGE_COUNT)
    return;
  if (t->idle_since > from) /* earlier off-CPU time was charged to the thread's own request */
    from = t->idle_since;
  for (int i = 0; i < FB_RECENT_OFF; i++) {
    __u64 a = t->recent[i].off, b = t->recent[i].on;

    if (a < from)
      a = from;
    if (b > to)
      b = to;
    if (b > a)
      sum += b - a;
  }
  if (sum)
    __sync_fetch_and_add(&r->off_ns[stage], sum);
}

/* Stamp difference; a pair with a missing end contributes nothing (stage_latencies.cpp). */
static __always_inline __s64 span(const __u64 *ts, int from, int to)
{
  if (!ts[from] || !ts[to])
    return 0;
  return (__s64)(ts[to] - ts[from]);
}

/* A global (non-static, not inlined) function is verified once on its own instead of at each
 * of its eight call sites, which keeps the verifier well inside its instruction budget. */
__noinline int record_stage(__u64 s, __s64 ns, __u64 off)
{
  __u64 v = ns < 0 ? -ns : ns;

  fb_hist_record(&stage_hist[0][0], stage_totals, FB_STAGE_COUNT, s, v);
  barrier_var(s);
  if (s >= FB_STAGE_COUNT)
    return 0;
  __sync_fetch_and_add(&stage_signed_sum[s], ns);
  __sync_fetch_and_add(&stage_off_cpu_ns[s], off);
  __sync_fetch_and_add(&stage_on_cpu_ns[s], v > off ? v - off : 0);
  return 0;
}

/* The request reached response_ready: stages, histograms, raw record. Mirrors
 * probes/stage_latencies.cpp; a change there must be made here too (the cross-validation
 * tests compare the two backends stage by stage). */
static __always_inline void finish_request(struct fb_request_state *r, __u64 request_id)
{
  const __u64 *ts = r->ts;
  __s64 ns[FB_STAGE_COUNT] = {};
  __u32 present = 0;
  __s64 accounted = 0;
  __u64 off_sum = 0;

  /* Every SPAN stage of probes/stage_ids.h, as stage_latencies.cpp computes it. */
#define FB_SPAN(id, from1, to1, from2, to2)                                                                     \
  ns[FB_STAGE_##id] = span(ts, FB_POINT_##from1, FB_POINT_##to1) + span(ts, FB_POINT_##from2, FB_POINT_##to2); \
  if (ts[FB_POINT_##to1])                                                                                       \
    present |= 1u << FB_STAGE_##id;
  FB_SPAN_STAGES
#undef FB_SPAN
  for (int s = 0; s < FB_STAGE_COUNT; s++) {
    if (fb_stage_in_total(s) && (present & (1u << s)))
      accounted += ns[s];
    if (s != FB_STAGE_TOTAL)
      off_sum += r->off_ns[s];
  }
  ns[FB_STAGE_OTHER] = ns[FB_STAGE_TOTAL] - accounted;
  /* A residual needs parts to be the residual of (a request stamped only at its ends has none). */
  if ((present & (1u << FB_STAGE_TOTAL)) && (present & ~(1u << FB_STAGE_TOTAL)))
    present |= 1u << FB_STAGE_OTHER;

  for (int s = 0; s < FB_STAGE_COUNT; s++) {
    if (present & (1u << s))
      record_stage(s, ns[s], s == FB_STAGE_TOTAL ? off_sum : r->off_ns[s]);
  }

  struct fb_record *rec = bpf_ringbuf_reserve(&fb_records, sizeof(*rec), 0);
  if (!rec) {
    struct fb_stages_counters *c = counters();

    if (c)
      __sync_fetch_and_add(&c->ring_drops, 1);
    return;
  }
  rec->request_id = request_id;
  rec->arrive_ticks = r->arrive_ticks;
  for (int s = 0; s < FB_STAGE_COUNT; s++) {
    rec->ns[s] = ns[s];
    rec->off_cpu_ns[s] = s == FB_STAGE_TOTAL ? off_sum : r->off_ns[s];
  }
  for (int p = 0; p < FB_POINT_COUNT; p++) {
    rec->ts[p] = r->ts[p];
    rec->ticks[p] = r->ticks[p];
  }
  rec->present = present;
  rec->caller_tid = r->caller_tid;
  rec->worker_tid = r->worker_tid;
  rec->points = r->points;
  /* No wake-up: user space polls on its own schedule, so a record costs no context switch. */
  bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
}

/* Not BPF_USDT(): that macro fetches the arguments before the body runs, and everything before
 * the timestamp differs from probe to probe (cold or warm map lookups) and shows up as noise in
 * the spans. The clock is read first; the arguments after. */
SEC("usdt")
int fb_on_point(struct pt_regs *ctx)
{
  __u64 now = bpf_ktime_get_ns();
  long request_arg = 0, ticks_arg = 0;
  bpf_usdt_arg(ctx, 0, &request_arg);
  bpf_usdt_arg(ctx, 1, &ticks_arg);
  __u64 request_id = request_arg, ticks = ticks_arg;
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)pid_tgid;
  __u64 point = bpf_usdt_cookie(ctx); /* 64-bit: a 32-bit copy would lose the bounds check */
  struct fb_stages_counters *c = counters();
  struct fb_request_state *r;
  struct fb_thread_state *t;

  if (pid_tgid >> 32 != targ_tgid || point >= FB_POINT_COUNT || !c)
    return 0;
  if (ticks == FB_PRIME_TICKS) { /* a prime (probes/usdt.h): the hit itself was the point */
    __sync_fetch_and_add(&c->primes, 1);
    return 0;
  }
  __sync_fetch_and_add(&c->hits, 1);
  __sync_fetch_and_add(&c->point_hits[point], 1);

  if (point == FB_POINT_ARRIVE) {
    struct fb_armed *armed = fb_armed_state();
    __u32 zero = 0;
    struct fb_request_state *fresh = bpf_map_lookup_elem(&fb_fresh_request, &zero);

    if (!fresh)
      return 0;
    if (bpf_map_update_elem(&fb_requests, &request_id, fresh, BPF_ANY))
      __sync_fetch_and_add(&c->table_full, 1);
    else if (armed && __sync_fetch_and_add(&armed->inflight, 1) == 0)
      armed->since = now; /* the scheduler programs start recording */
  }
  r = bpf_map_lookup_elem(&fb_requests, &request_id);
  if (!r) {
    __sync_fetch_and_add(&c->missing_request, 1);
    return 0;
  }
  if (point == FB_POINT_ARRIVE) {
    r->arrive_ticks = ticks;
    r->caller_tid = tid;
  }
  r->ts[point] = now;
  r->ticks[point] = ticks;
  r->points++;

  t = fb_thread(bpf_get_current_task_btf(), true);
  if (t) {
    if (point == FB_POINT_DEQUEUE) {
      r->worker_tid = tid;
      t->role = FB_ROLE_WORKER;
      charge_handoff(r, t, FB_STAGE_DISPATCH, r->ts[FB_POINT_ENQUEUE], now);
    } else if (point == FB_POINT_FUTURE_OBSERVED) {
      charge_handoff(r, t, FB_STAGE_FUTURE, r->ts[FB_POINT_FUTURE_SET], now);
    } else if (point == FB_POINT_ARRIVE && t->role != FB_ROLE_WORKER) {
      t->role = FB_ROLE_CLIENT;
    }
    t->stage = stage_after(point);
    t->request = request_id;
    if (t->stage == FB_THREAD_IDLE)
      t->idle_since = now;
  }

  if (point == FB_POINT_RESPONSE_READY) {
    struct fb_armed *armed = fb_armed_state();

    finish_request(r, request_id);
    bpf_map_delete_elem(&fb_requests, &request_id);
    if (armed)
      __sync_fetch_and_add(&armed->inflight, -1);
    __sync_fetch_and_add(&c->requests, 1);
  }
  return 0;
}
