/* offcpu: shared between offcpu.bpf.c (kernel) and offcpu_loader.cpp (user space). Plain C; the
 * includer provides __u64 (BPF: vmlinux.h; C++: <linux/types.h> first). */
#ifndef FASTERBENCH_PROBES_BPF_OFFCPU_H
#define FASTERBENCH_PROBES_BPF_OFFCPU_H

#include "fb_hist.h"

/* Whose wake-up-to-run latency a histogram row holds. A thread's role is learnt from the
 * stage points it hits (stages.bpf.c): `dequeue` makes a worker, `arrive` a client. */
enum fb_role {
  FB_ROLE_WORKER = 0,
  FB_ROLE_CLIENT,
  FB_ROLE_OTHER, /* no sampled request seen on the thread yet */
  FB_ROLE_COUNT
};

struct fb_offcpu_counters {
  __u64 switches_in;  /* a tracked thread went back on a CPU */
  __u64 charged;      /* ... while carrying a sampled request: charged to its stage */
  __u64 wakeups;      /* sched_wakeup of a tracked thread */
};

#endif
