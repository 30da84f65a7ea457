// Joins strings with a separator: {"a", "b"} -> "a, b". For lists in console lines and messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fb::harness {

inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

}  // namespace fb::harness
