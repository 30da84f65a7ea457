/* Kernel-only state that both programs use: stages.bpf.c (USDT hits) writes which request and
 * stage each thread is in; offcpu.bpf.c (sched_switch / sched_wakeup) charges the thread's
 * off-CPU time to that stage of that request. The two skeletons share the maps: the loader
 * loads stages first and hands its map fds to offcpu (bpf_map__reuse_fd) before offcpu loads,
 * so both definitions here must stay identical for both objects (one header guarantees it).
 *
 * Off-CPU accounting (what "off-CPU time of a stage" means):
 *  - a stage a thread executes for a request (route, gil, handler, marshal, other, the future's
 *    creation) is charged every off-CPU interval of that thread that starts inside it;
 *  - a hand-off stage (dispatch: enqueue -> dequeue; the future: set -> observed) is carried by
 *    the receiving thread: at `dequeue` / `future_observed` the receiver's last off-CPU
 *    intervals are clipped to the hand-off span (and to after the receiver's last sampled
 *    work) and charged. A worker parked on the queue shows up here: its wake-up and the wait
 *    for a CPU are the dispatch stage's off-CPU time.
 * The sender of a hand-off is not charged: once it has handed the request over it waits.
 *
 * Arming. The scheduler programs run on every context switch of the machine; outside sampled
 * requests they only check fb_armed and return, so the requests that are not sampled pay the
 * bare cost of a program call per switch. Armed (a sampled request between `arrive` and
 * `response_ready`), they record everything. A thread whose last switch-out came before the
 * window opened has been off the CPU since at least `since` (a later switch-out would have been
 * recorded), so its interval starts at `since` - and hand-off spans start after `arrive`,
 * hence after `since`, so nothing they need is lost. */
#ifndef FASTERBENCH_PROBES_BPF_FB_SHARED_BPF_H
#define FASTERBENCH_PROBES_BPF_FB_SHARED_BPF_H

#include "offcpu.h"
#include "stages.h"

#define FB_THREAD_IDLE 0xffu /* thread_state.stage: not carrying a sampled request */
#define FB_RECENT_OFF 4      /* off-CPU intervals remembered per thread (power of two) */

struct fb_interval {
  __u64 off, on;
};

struct fb_thread_state {
  __u64 request;      /* sampled request the thread carries, when stage != FB_THREAD_IDLE */
  __u64 idle_since;   /* when it last handed a sampled request on (or finished one) */
  __u64 off_ts;       /* when it last left the CPU while armed (stale or 0 otherwise) */
  __u64 wake_ts;      /* last sched_wakeup while off the CPU */
  __u32 stage;        /* fb_stage it executes, or FB_THREAD_IDLE */
  __u32 role;         /* enum fb_role */
  __u32 recent_next;  /* next slot of `recent` to overwrite */
  __u32 live;         /* 0 in freshly created storage (zeroed): fb_thread() initializes it */
  struct fb_interval recent[FB_RECENT_OFF]; /* last off-CPU intervals, ring */
};

struct fb_request_state {
  __u64 ts[FB_POINT_COUNT];         /* bpf_ktime_get_ns at each point; 0: not reached */
  __u64 off_ns[FB_STAGE_COUNT];     /* off-CPU time charged to each stage */
  __u64 ticks[FB_POINT_COUNT];      /* in-process clock at each point (USDT argument) */
  __u64 arrive_ticks;               /* in-process clock at `arrive` */
  __u32 caller_tid, worker_tid;
  __u32 points;
  __u32 pad;
};

/* Per-thread state lives in the task itself (task local storage): reaching it is a pointer
 * chase, not a hash lookup, which matters on the scheduler path. */
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct fb_thread_state);
} fb_threads SEC(".maps");

/* Sampled requests in flight, and since when the count has been non-zero. */
struct fb_armed {
  __u64 inflight;
  __u64 since;
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct fb_armed);
} fb_armed SEC(".maps");

static __always_inline struct fb_armed *fb_armed_state(void)
{
  __u32 zero = 0;

  return bpf_map_lookup_elem(&fb_armed, &zero);
}

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, FB_MAX_INFLIGHT);
  __type(key, __u64); /* request id (USDT argument) */
  __type(value, struct fb_request_state);
} fb_requests SEC(".maps");

/* The thread's state, created (idle, role unknown) on first sight when `create`. */
static __always_inline struct fb_thread_state *fb_thread(struct task_struct *task, bool create)
{
  struct fb_thread_state *t =
      bpf_task_storage_get(&fb_threads, task, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);

  if (t && !t->live) {
    t->live = 1;
    t->stage = FB_THREAD_IDLE;
    t->role = FB_ROLE_OTHER;
  }
  return t;
}

#endif
