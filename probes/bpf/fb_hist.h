/* The log-linear histogram layout shared by the eBPF programs and user space: the same buckets
 * as fb::probes::Histogram (probes/histogram.h), so user space rebuilds a Histogram from the
 * kernel's counts bucket for bucket. Plain C, no includes: the includer provides __u64 (BPF:
 * vmlinux.h; C++: <linux/types.h> first). */
#ifndef FASTERBENCH_PROBES_BPF_FB_HIST_H
#define FASTERBENCH_PROBES_BPF_FB_HIST_H

#define FB_HIST_SUB_BUCKET_BITS 8 /* Histogram::kSubBucketBits */
#define FB_HIST_MAX_VALUE_BITS 40 /* Histogram::kMaxValueBits: larger values are clamped */
#define FB_HIST_MAX_TRACKABLE ((1ull << FB_HIST_MAX_VALUE_BITS) - 1)
#define FB_HIST_BUCKETS \
  ((FB_HIST_MAX_VALUE_BITS - FB_HIST_SUB_BUCKET_BITS + 2) * (1 << (FB_HIST_SUB_BUCKET_BITS - 1)))

/* Kept beside each histogram row. User space sets min to ~0 when it clears a row; min and max
 * are updated without atomics (a lost update under a race only loosens them). */
struct fb_hist_totals {
  __u64 count;
  __u64 sum; /* of recorded values (clamping does not apply) */
  __u64 min;
  __u64 max;
};

#endif
