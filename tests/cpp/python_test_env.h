// Shared set-up for tests that embed Python: the fixture handler folder on sys.path.
#pragma once

#include "framework/http.h"

#include <string>
#include <string_view>
#include <vector>

namespace fb::test {

inline std::vector<std::string> fixture_python_path() {
  return {std::string(FASTERBENCH_SOURCE_DIR) + "/tests/fixtures/python"};
}

inline std::string source_path(const std::string& relative) { return std::string(FASTERBENCH_SOURCE_DIR) + "/" + relative; }

// A GET request for `path` (the path must outlive the request).
inline Request get_request(std::string_view path) {
  Request r;
  r.method = "GET";
  r.path = path;
  return r;
}

}  // namespace fb::test
