// Human units for durations and rates, as the console table and messages print them.
#pragma once

#include <string>

namespace fb::harness {

// 812 -> "812 ns", 6512 -> "6.51 µs", 1.2e6 -> "1.20 ms", 3.4e9 -> "3.40 s".
std::string format_ns(double ns);
// 73512.4 -> "73,512".
std::string format_count(double value);

}  // namespace fb::harness
