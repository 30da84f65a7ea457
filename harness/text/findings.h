// Sentences about what the statistics found, written once for every place that shows them
// (the results' messages, the console).
#pragma once

#include <string>

#include "harness/stats/configuration_aggregate.h"

namespace fb::harness {

// "P0: 5 repetitions at 14.3 µs, 5 at 19.8 µs (+38 %): two populations, the median describes
// neither; hand-offs: fast ones same CPU in 5 of 5; slow ones different CPUs in 5 of 5".
std::string describe_bimodality(const std::string& config, const BimodalRepetitions& b);

}  // namespace fb::harness
