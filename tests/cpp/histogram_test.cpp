#include "probes/histogram.h"

#include <gtest/gtest.h>

#include <cmath>

using fb::probes::Histogram;

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

// Values below 256 are stored exactly, so nearest-rank percentiles are exact:
// for 1..100, p50 is the 50th value, p90 the 90th, p99 the 99th, p99.9 rounds up to the 100th.
TEST(Histogram, NearestRankOnExactValues) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.record(static_cast<std::uint64_t>(v));
  EXPECT_EQ(h.value_at_percentile(50), 50u);
  EXPECT_EQ(h.value_at_percentile(90), 90u);
  EXPECT_EQ(h.value_at_percentile(99), 99u);
  EXPECT_EQ(h.value_at_percentile(99.9), 100u);
  EXPECT_EQ(h.value_at_percentile(100), 100u);
  EXPECT_EQ(h.value_at_percentile(0), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

// Four values: ranks ceil(0.5*4)=2 -> 20, ceil(0.75*4)=3 -> 30, ceil(0.76*4)=4 -> 40.
TEST(Histogram, RankRoundsUp) {
  Histogram h;
  for (std::uint64_t v : {10, 20, 30, 40}) h.record(v);
  EXPECT_EQ(h.value_at_percentile(50), 20u);
  EXPECT_EQ(h.value_at_percentile(75), 30u);
  EXPECT_EQ(h.value_at_percentile(76), 40u);
}

TEST(Histogram, BucketBoundariesAreContiguous) {
  // Every index's highest value + 1 starts the next index.
  for (std::size_t i = 0; i + 1 < 3000; ++i) {
    const std::uint64_t hi = Histogram::bucket_highest_value(i);
    EXPECT_EQ(Histogram::bucket_index(hi), i) << i;
    EXPECT_EQ(Histogram::bucket_index(hi + 1), i + 1) << i;
  }
}

TEST(Histogram, RelativeErrorBelowOnePercent) {
  Histogram h;
  for (std::uint64_t v = 1; v < (1ull << 36); v = v * 3 / 2 + 7) {
    const std::uint64_t reported = Histogram::bucket_highest_value(Histogram::bucket_index(v));
    ASSERT_GE(reported, v);
    EXPECT_LE(static_cast<double>(reported - v) / static_cast<double>(v), 0.01) << v;
  }
}

// A percentile is the bucket's highest value clamped to the exact max.
TEST(Histogram, LargeValuesClampToMax) {
  Histogram h;
  h.record(1'000'000);
  EXPECT_EQ(h.value_at_percentile(50), 1'000'000u);
  h.record(5'000'000);
  EXPECT_EQ(h.value_at_percentile(100), 5'000'000u);
  const std::uint64_t p50 = h.value_at_percentile(50);
  EXPECT_GE(p50, 1'000'000u);
  EXPECT_LE(p50, 1'010'000u);
}

TEST(Histogram, MergeAddsCountsAndKeepsExtremes) {
  Histogram a, b;
  for (int i = 0; i < 10; ++i) a.record(100);
  for (int i = 0; i < 30; ++i) b.record(200);
  b.record(7);
  a.merge(b);
  EXPECT_EQ(a.count(), 41u);
  EXPECT_EQ(a.min(), 7u);
  EXPECT_EQ(a.max(), 200u);
  EXPECT_EQ(a.value_at_percentile(25), 100u);  // rank ceil(10.25)=11 -> the 10 100s plus the 7
  EXPECT_EQ(a.value_at_percentile(50), 200u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
}

TEST(Histogram, NonzeroBucketsAscending) {
  Histogram h;
  h.record(5);
  h.record(5);
  h.record(1000);
  const auto buckets = h.nonzero_buckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0], (std::pair<std::uint64_t, std::uint64_t>{5, 2}));
  EXPECT_GE(buckets[1].first, 1000u);
  EXPECT_EQ(buckets[1].second, 1u);
}

// The eBPF backend rebuilds histograms from bucket counts recorded in the kernel.
TEST(Histogram, FromBucketsMatchesRecording) {
  Histogram recorded;
  for (std::uint64_t v : {3ull, 300ull, 301ull, 5000ull, 123456ull}) recorded.record(v);
  std::vector<std::uint64_t> counts(Histogram::kBucketCount, 0);
  for (std::uint64_t v : {3ull, 300ull, 301ull, 5000ull, 123456ull}) ++counts[Histogram::bucket_index(v)];
  const Histogram rebuilt = Histogram::from_buckets(counts.data(), 3 + 300 + 301 + 5000 + 123456, 3, 123456);
  EXPECT_EQ(rebuilt.count(), recorded.count());
  EXPECT_EQ(rebuilt.min(), recorded.min());
  EXPECT_EQ(rebuilt.max(), recorded.max());
  EXPECT_DOUBLE_EQ(rebuilt.mean(), recorded.mean());
  for (double q : {0.0, 50.0, 90.0, 100.0}) EXPECT_EQ(rebuilt.value_at_percentile(q), recorded.value_at_percentile(q)) << q;
  EXPECT_EQ(rebuilt.nonzero_buckets(), recorded.nonzero_buckets());
}

TEST(Histogram, FromEmptyBucketsIsEmpty) {
  std::vector<std::uint64_t> counts(Histogram::kBucketCount, 0);
  const Histogram h = Histogram::from_buckets(counts.data(), 0, ~0ull, 0);
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
}
