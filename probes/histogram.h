// A log-linear latency histogram in the manner of HdrHistogram.
//
// Values below 2^kSubBucketBits are counted exactly; above, every power-of-two range is split
// into 2^(kSubBucketBits-1) equal buckets, so a bucket is at most 1/128 of its values wide and
// any reported value is within 0.8 % of a recorded one. Recording is one count increment into
// preallocated storage: no locks, no allocation, safe on the hot path of the thread that owns
// the histogram. Histograms of different threads are merged after the run.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace fb::probes {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 8;
  static constexpr int kMaxValueBits = 40;  // 2^40 ns ~ 18 minutes; larger values are clamped
  static constexpr std::uint64_t kMaxTrackable = (1ull << kMaxValueBits) - 1;
  static constexpr std::size_t kBucketCount =
      (kMaxValueBits - kSubBucketBits + 2) * (1u << (kSubBucketBits - 1));

  Histogram();

  void record(std::uint64_t value) noexcept {
    const std::uint64_t clamped = value > kMaxTrackable ? kMaxTrackable : value;
    ++counts_[bucket_index(clamped)];
    ++count_;
    sum_ += value;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  // A histogram rebuilt from counts laid out as bucket_index() lays them out (`counts` holds
  // kBucketCount entries), with the exact count-independent totals kept beside them. The eBPF
  // backend records in the kernel into this layout (probes/bpf/fb_hist.h).
  static Histogram from_buckets(const std::uint64_t* counts, std::uint64_t sum, std::uint64_t min,
                                std::uint64_t max);

  void merge(const Histogram& other) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

  // The smallest recorded-equivalent value v such that at least ceil(q/100 * count) values are
  // <= v (nearest-rank definition; q in [0, 100]). Reported as the bucket's highest equivalent
  // value clamped to [min, max], so percentiles of exact buckets are exact. 0 when empty.
  std::uint64_t value_at_percentile(double q) const noexcept;

  // Non-empty buckets as (highest equivalent value, count), ascending.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> nonzero_buckets() const;

  static std::size_t bucket_index(std::uint64_t value) noexcept {
    constexpr std::uint64_t kExact = 1ull << kSubBucketBits;
    if (value < kExact) return static_cast<std::size_t>(value);
    const int msb = 63 - __builtin_clzll(value);
    const int shift = msb - (kSubBucketBits - 1);
    constexpr std::uint64_t kHalf = kExact / 2;
    const std::uint64_t mantissa = value >> shift;  // in [kHalf, kExact)
    return static_cast<std::size_t>((static_cast<std::uint64_t>(shift) + 1) * kHalf + (mantissa - kHalf));
  }

  // The largest value that lands in bucket `index`.
  static std::uint64_t bucket_highest_value(std::size_t index) noexcept;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_ = 0;
};

}  // namespace fb::probes
