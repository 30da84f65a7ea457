// Scenario files (TOML): the routes of an app, their handler modules, the request mix the
// load generator sends, and default load settings. Format documented in docs/scenarios.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fb::harness {

// A scenario that cannot be used; what() is "FILE:LINE: what was wrong / expected".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ScenarioRoute {
  std::string method = "GET";
  std::string path;        // template, "/items/{id}"
  std::string handler;     // "module:function"
  std::string kind;        // "", "fast", "blocking" or "async" (override of classification)
  double weight = 1.0;     // share of the request mix (relative)
  std::string request;     // path + optional "?query" the load sends; defaults to `path`
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int line = 0;            // where the [[route]] table starts, for messages
};

struct LoadDefaults {
  std::optional<std::int64_t> requests, warmup, clients, workers, repetitions;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;                      // as given
  std::vector<std::string> python_path;  // absolute directories
  std::vector<ScenarioRoute> routes;
  LoadDefaults load;
  std::string subinterp_fallback;        // "", "fail" or "main" (--subinterp-fallback wins)
};

// Parses and validates `path`. Throws ScenarioError with file and line.
Scenario load_scenario(const std::string& path);

}  // namespace fb::harness
