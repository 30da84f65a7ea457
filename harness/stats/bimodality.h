// Are a configuration's repetitions one population or two? Fresh processes of the same build
// can settle into different states (threads placed on the same CPU or not, a layout that
// aliases in the cache or not) and then form separate clusters: a median over them describes
// neither. Pure functions.
//
// Method: sort the values and take the split into a low and a high cluster that minimizes the
// within-cluster sum of squares (Fisher's optimal 1-D partition into two groups, the same split
// as Otsu's threshold). The split is reported as bimodal when all of these hold:
//   - at least kMinPerCluster values on each side (one odd value is an outlier, not a mode);
//   - Ashman's D = sqrt(2) |m_high - m_low| / sqrt(s_low^2 + s_high^2) > kMinAshmanD
//     (Ashman, Bird & Zepf 1994: D > 2 is needed for a clean separation of two normal
//     modes; 3 asks for more with the 5-10 values a configuration has);
//   - the cluster medians differ by at least kMinSeparation of the low one (a clean split of a
//     few tenths of a percent is real but not worth a warning).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace fb::harness {

inline constexpr std::size_t kMinPerCluster = 2;
inline constexpr double kMinAshmanD = 3.0;
inline constexpr double kMinSeparation = 0.05;

struct Cluster {
  std::vector<std::size_t> members;  // indices into the input, ascending
  double median = 0;
};

struct Bimodality {
  Cluster low, high;
  double ashman_d = 0;      // infinity when both clusters have no spread
  double separation = 0;    // high.median / low.median - 1
};

// nullopt: one population (or too few values to tell).
std::optional<Bimodality> find_two_clusters(const std::vector<double>& values);

}  // namespace fb::harness
