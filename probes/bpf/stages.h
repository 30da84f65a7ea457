/* stages: shared between stages.bpf.c (kernel) and stages_loader.cpp (user space). Plain C, no
 * includes of its own besides the vocabulary: the includer provides __u64 (BPF: vmlinux.h;
 * C++: <linux/types.h> first). */
#ifndef FASTERBENCH_PROBES_BPF_STAGES_H
#define FASTERBENCH_PROBES_BPF_STAGES_H

#include "fb_hist.h"
#include "probes/stage_ids.h"

#define FB_MAX_INFLIGHT 4096          /* sampled requests between arrive and response_ready */
#define FB_RECORDS_BYTES (8u << 20)   /* ring buffer of raw records (power of two, pages) */
#define FB_PRIME_TICKS 0              /* the ticks argument of a prime (probes/usdt.h kPrimeTicks) */

/* One raw record per sampled request that reached response_ready, in the ring buffer. */
struct fb_record {
  __u64 request_id;
  __u64 arrive_ticks;                /* the in-process clock at `arrive` (USDT argument) */
  __u64 ts[FB_POINT_COUNT];          /* bpf_ktime_get_ns at each point; 0: not reached */
  __u64 ticks[FB_POINT_COUNT];       /* the in-process clock at each point (USDT argument) */
  __s64 ns[FB_STAGE_COUNT];          /* stage latencies from bpf_ktime_get_ns stamps */
  __u64 off_cpu_ns[FB_STAGE_COUNT];  /* of which off-CPU (offcpu.bpf.c) */
  __u32 present;                     /* bit s set: the request went through stage s */
  __u32 caller_tid;                  /* thread that hit `arrive` */
  __u32 worker_tid;                  /* thread that hit `dequeue`, 0 on the direct path */
  __u32 points;                      /* points hit by this request */
};

/* Event counters, per CPU (summed by user space). */
struct fb_stages_counters {
  __u64 hits;            /* USDT hits of this process */
  __u64 point_hits[FB_POINT_COUNT];
  __u64 primes;          /* priming hits (not in `hits`) */
  __u64 requests;        /* requests that reached response_ready */
  __u64 ring_drops;      /* records lost: ring buffer full */
  __u64 missing_request; /* a point of a request whose `arrive` was not seen (or table full) */
  __u64 table_full;      /* `arrive` found the in-flight table full */
};

#endif
