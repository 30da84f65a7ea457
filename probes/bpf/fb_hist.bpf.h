/* Kernel-only histogram helpers: bucket index of probes/histogram.h's layout (fb_hist.h) and
 * recording into a row of a global (mmap-able .bss) array. */
#ifndef FASTERBENCH_PROBES_BPF_FB_HIST_BPF_H
#define FASTERBENCH_PROBES_BPF_FB_HIST_BPF_H

#include "fb_hist.h"

/* floor(log2(v)) for v > 0, without a clz instruction (BPF has none): binary search, as bcc's
 * libbpf-tools bits.bpf.h log2l does. */
static __always_inline __u32 fb_log2_32(__u32 v)
{
  __u32 r, shift;

  r = (v > 0xFFFF) << 4;
  v >>= r;
  shift = (v > 0xFF) << 3;
  v >>= shift;
  r |= shift;
  shift = (v > 0xF) << 2;
  v >>= shift;
  r |= shift;
  shift = (v > 0x3) << 1;
  v >>= shift;
  r |= shift;
  r |= (v >> 1);
  return r;
}

static __always_inline __u32 fb_log2_64(__u64 v)
{
  __u32 hi = v >> 32;

  return hi ? fb_log2_32(hi) + 32 : fb_log2_32((__u32)v);
}

/* Histogram::bucket_index(): exact below 2^SUB, then 2^(SUB-1) buckets per power of two. */
static __always_inline __u32 fb_hist_bucket(__u64 v)
{
  const __u64 exact = 1ull << FB_HIST_SUB_BUCKET_BITS;
  const __u64 half = exact / 2;
  __u32 shift;
  __u64 mantissa;

  if (v > FB_HIST_MAX_TRACKABLE)
    v = FB_HIST_MAX_TRACKABLE;
  if (v < exact)
    return (__u32)v;
  shift = fb_log2_64(v) - (FB_HIST_SUB_BUCKET_BITS - 1);
  mantissa = v >> shift; /* in [half, exact) */
  return (__u32)((shift + 1) * half + (mantissa - half));
}

/* Records `v` into row `row` of `hist` (a global __u64 [rows][FB_HIST_BUCKETS] array, passed
 * flat) and into totals[row]. Indexes are bounds-checked as the verifier sees them: one 64-bit
 * flat index, checked and then used, with barrier_var() so the compiler cannot split the two. */
static __always_inline void fb_hist_record(__u64 *hist, struct fb_hist_totals *totals, __u64 rows, __u64 row,
                                           __u64 v)
{
  __u64 idx = row * FB_HIST_BUCKETS + fb_hist_bucket(v);

  if (row >= rows)
    return;
  barrier_var(idx);
  if (idx >= rows * FB_HIST_BUCKETS)
    return;
  __sync_fetch_and_add(&hist[idx], 1);
  barrier_var(row);
  if (row >= rows)
    return;
  totals += row;
  __sync_fetch_and_add(&totals->count, 1);
  __sync_fetch_and_add(&totals->sum, v);
  if (v < totals->min)
    totals->min = v;
  if (v > totals->max)
    totals->max = v;
}

/* Records `v` into row `row` of per-CPU maps: `hist` (BPF_MAP_TYPE_PERCPU_ARRAY of __u64, rows x
 * FB_HIST_BUCKETS entries) and `totals` (PERCPU_ARRAY of struct fb_hist_totals, one per row).
 * No atomics and no cache line shared between CPUs: for programs on the scheduler path, where
 * both CPUs record all the time. User space sums the CPUs. */
static __always_inline void fb_hist_record_percpu(void *hist, void *totals, __u32 row, __u64 v)
{
  __u32 key = row * FB_HIST_BUCKETS + fb_hist_bucket(v);
  __u64 *count = bpf_map_lookup_elem(hist, &key);
  struct fb_hist_totals *t = bpf_map_lookup_elem(totals, &row);

  if (count)
    *count += 1;
  if (t) {
    t->count++;
    t->sum += v;
    if (v < t->min)
      t->min = v;
    if (v > t->max)
      t->max = v;
  }
}

#endif
