// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* offcpu: the kernel half of the off-CPU probe, in the manner of bcc's offcputime and runqlat
 * but for the harness's own threads only (tgid filter). On every context switch it notes when a
 * thread of ours leaves the CPU; when it comes back, the interval is remembered (for hand-off
 * stages, see fb_shared.bpf.h) and, if the thread carries a sampled request, charged to the
 * stage the thread is in (written by stages.bpf.c into the shared fb_threads storage). Only
 * while a sampled request is in flight (fb_armed); otherwise it returns at once. A
 * sched_wakeup followed by the switch-in gives the wake-up-to-run latency, kept per role
 * (workers, clients) in log-linear histograms. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "fb_hist.bpf.h"
#include "fb_shared.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_tgid = 0;

/* Per-CPU, read and cleared by user space: this runs on every context switch of ours. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, FB_ROLE_COUNT * FB_HIST_BUCKETS);
  __type(key, __u32);
  __type(value, __u64);
} fb_wakeup_hist SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, FB_ROLE_COUNT);
  __type(key, __u32);
  __type(value, struct fb_hist_totals);
} fb_wakeup_totals SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fb_offcpu_counters);
} fb_offcpu_counters SEC(".maps");

/* Plain increments: the scheduler tracepoints run with preemption disabled. */
static __always_inline struct fb_offcpu_counters *counters(void)
{
  __u32 zero = 0;

  return bpf_map_lookup_elem(&fb_offcpu_counters, &zero);
}

static __always_inline void back_on_cpu(struct fb_thread_state *t, __u64 now, __u64 armed_since)
{
  __u64 off = t->off_ts;

  if (off < armed_since) /* left the CPU before the window opened (fb_shared.bpf.h) */
    off = armed_since;
  __u64 delta = now - off;
  __u32 slot = t->recent_next & (FB_RECENT_OFF - 1);

  t->recent[slot].off = off;
  t->recent[slot].on = now;
  t->recent_next++;
  struct fb_offcpu_counters *c = counters();
  if (c)
    c->switches_in++;

  __u32 stage = t->stage;
  if (stage < FB_STAGE_COUNT) {
    __u64 request = t->request;
    struct fb_request_state *r = bpf_map_lookup_elem(&fb_requests, &request);

    if (r) {
      __sync_fetch_and_add(&r->off_ns[stage], delta);
      if (c)
        c->charged++;
    }
  }
  if (t->wake_ts && t->wake_ts >= off) {
    __u32 role = t->role < FB_ROLE_COUNT ? t->role : FB_ROLE_OTHER;

    fb_hist_record_percpu(&fb_wakeup_hist, &fb_wakeup_totals, role, now - t->wake_ts);
  }
  t->off_ts = 0;
  t->wake_ts = 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(fb_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  struct fb_armed *armed = fb_armed_state();
  __u64 now;
  struct fb_thread_state *t;

  if (!armed || !armed->inflight)
    return 0;
  if (prev->tgid != targ_tgid && next->tgid != targ_tgid)
    return 0;
  now = bpf_ktime_get_ns();
  if (prev->tgid == targ_tgid) {
    t = fb_thread(prev, true);
    if (t)
      t->off_ts = now;
  }
  if (next->tgid == targ_tgid) {
    t = fb_thread(next, false);
    if (t)
      back_on_cpu(t, now, armed->since);
  }
  return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(fb_sched_wakeup, struct task_struct *p)
{
  struct fb_armed *armed = fb_armed_state();
  struct fb_thread_state *t;

  if (!armed || !armed->inflight || p->tgid != targ_tgid)
    return 0;
  t = fb_thread(p, false);
  if (t) {
    struct fb_offcpu_counters *c = counters();

    t->wake_ts = bpf_ktime_get_ns();
    if (c)
      c->wakeups++;
  }
  return 0;
}
