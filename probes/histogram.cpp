#include "probes/histogram.h"

#include <algorithm>
#include <cmath>

namespace fb::probes {

Histogram::Histogram() : counts_(kBucketCount, 0) {}

Histogram Histogram::from_buckets(const std::uint64_t* counts, std::uint64_t sum, std::uint64_t min,
                                  std::uint64_t max) {
  Histogram h;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    h.counts_[i] = counts[i];
    h.count_ += counts[i];
  }
  if (h.count_ == 0) return h;
  h.sum_ = sum;
  h.min_ = min;
  h.max_ = max;
  return h;
}

void Histogram::merge(const Histogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = std::numeric_limits<std::uint64_t>::max();
  max_ = 0;
}

std::uint64_t Histogram::bucket_highest_value(std::size_t index) noexcept {
  constexpr std::uint64_t kExact = 1ull << kSubBucketBits;
  constexpr std::uint64_t kHalf = kExact / 2;
  if (index < kExact) return index;
  const std::uint64_t shift = index / kHalf - 1;
  const std::uint64_t mantissa = index % kHalf + kHalf;
  return ((mantissa + 1) << shift) - 1;
}

std::uint64_t Histogram::value_at_percentile(double q) const noexcept {
  if (count_ == 0) return 0;
  if (q <= 0) return min();
  // Nearest rank: the ceil(q/100 * n)-th smallest value (1-based), at least the first.
  const double exact_rank = std::min(q, 100.0) / 100.0 * static_cast<double>(count_);
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(exact_rank - 1e-9));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_highest_value(i), min(), max_);
  }
  return max_;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Histogram::nonzero_buckets() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) out.emplace_back(bucket_highest_value(i), counts_[i]);
  }
  return out;
}

}  // namespace fb::probes
