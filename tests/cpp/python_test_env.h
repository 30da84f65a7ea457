// Shared set-up for tests that embed Python: the fixture handler folder on sys.path.
#pragma once

#include <string>
#include <vector>

namespace fb::test {

inline std::vector<std::string> fixture_python_path() {
  return {std::string(FASTERBENCH_SOURCE_DIR) + "/tests/fixtures/python"};
}

inline std::string source_path(const std::string& relative) { return std::string(FASTERBENCH_SOURCE_DIR) + "/" + relative; }

}  // namespace fb::test
