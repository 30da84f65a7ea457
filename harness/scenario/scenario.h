// Scenario files (TOML): the routes of an app, their handler modules, the request mix the
// load generator sends, and default load settings. Format documented in docs/scenarios.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
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

// [[replay.map]]: recorded paths a replayed trace sends to a route although the router would not
// match them (harness/load/replay.h). Exactly one of `prefix` and `regex` is set.
struct ReplayMapRule {
  std::string prefix;  // the recorded path starts with it
  std::string regex;   // or matches it whole (ECMAScript syntax)
  std::string method;  // only recorded requests with this method; "": any
  std::size_t route = 0;  // index into Scenario::routes
  int line = 0;
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
  std::vector<ReplayMapRule> replay_map; // in file order: the first rule that matches wins
};

// Parses and validates `path`. Throws ScenarioError with file and line.
Scenario load_scenario(const std::string& path);

// load_scenario for a command's --scenario: a file that cannot be used is a usage error
// (UsageError, exit 2), its message naming the file, line and reason.
Scenario load_scenario_option(const std::string& path);

// The same for a scenario's text, as if read from `path` (which names it in messages and whose
// folder relative python_path entries start from). What the fuzz target calls.
Scenario parse_scenario(std::string_view text, const std::string& path);

}  // namespace fb::harness
