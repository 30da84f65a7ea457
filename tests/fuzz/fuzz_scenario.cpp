// libFuzzer target: the scenario parser (harness/scenario/scenario.h parse_scenario). Any text
// must either give a Scenario or throw ScenarioError naming file and line; anything else (another
// exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/scenario/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const fb::harness::Scenario s = fb::harness::parse_scenario(text, "/fuzz/scenario.toml");
    if (s.routes.empty()) __builtin_trap();  // a parsed scenario always has a route
    double total = 0;
    for (const fb::harness::ScenarioRoute& r : s.routes) {
      if (r.path.empty() || r.path.front() != '/' || r.request.empty() || r.request.front() != '/') __builtin_trap();
      if (!(r.weight >= 0)) __builtin_trap();
      total += r.weight;
    }
    if (!(total > 0)) __builtin_trap();
  } catch (const fb::harness::ScenarioError& e) {
    if (std::string_view(e.what()).substr(0, 20) != "/fuzz/scenario.toml:") __builtin_trap();  // names the file
  }
  return 0;
}
