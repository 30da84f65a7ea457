// Splits a comma-separated option value: "P0, P1,,P4" -> {"P0", "P1", "P4"} (spaces and empty
// items dropped). For list options such as --phases and --rates.
#pragma once

#include <string>
#include <vector>

namespace fb::harness {

inline std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  for (char c : list + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

}  // namespace fb::harness
