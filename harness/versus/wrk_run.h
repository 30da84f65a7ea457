// wrk (the external load tool of `fasterbench versus`): the Lua script that sends a scenario's
// request mix and reports wrk's latency distribution as one JSON line, and one run of it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/load/http_target.h"
#include "harness/load/request_mix.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

// The marker in front of the JSON line the script's done() prints.
inline constexpr const char* kWrkResultMarker = "FASTERBENCH_WRK ";

// A wrk Lua script for the scenario. One route: wrk.method/path/headers/body (wrk's own fast
// path, no Lua per request). Several: request() draws a route with the scenario's weights from
// pre-built request strings (seeded per wrk thread). done() prints kWrkResultMarker + JSON:
// requests, duration_us, bytes, errors{connect, read, write, status, timeout}, latency_us{min,
// mean, stdev, max, p50, p90, p99, p999} (wrk's latency histogram, microsecond resolution).
std::string wrk_script(const Scenario& scenario, const RequestMix& mix, const HttpTarget& target, std::uint64_t seed);

struct WrkSettings {
  std::int64_t connections = 16;
  std::int64_t threads = 1;
  double duration_s = 5;
  std::int64_t timeout_s = 10;  // wrk --timeout: a request slower than this counts as a timeout error
  std::vector<int> cpus;        // wrk runs pinned here (empty: anywhere)
};

struct WrkLatency {
  double min = 0, mean = 0, stdev = 0, max = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0;  // microseconds
};

struct WrkResult {
  bool ok = false;
  std::string error;  // why not ok: wrk failed, or printed no result line
  std::uint64_t requests = 0;
  double duration_s = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors_connect = 0, errors_read = 0, errors_write = 0, errors_status = 0, errors_timeout = 0;
  WrkLatency latency_us;
  double requests_per_s = 0;
  double tool_cpu_s = 0;  // wrk's own user + system CPU time
  std::uint64_t errors() const noexcept {
    return errors_connect + errors_read + errors_write + errors_status + errors_timeout;
  }
};

// Runs `wrk` with `script` against `target` and parses its result line. wrk's output goes to
// `log_file`.
WrkResult run_wrk(const std::string& wrk, const std::string& script, const HttpTarget& target, const WrkSettings& settings,
                  const std::string& log_file);

// As wrk states it ("debian/4.1.0-3+b2"), or "" when `wrk` does not run.
std::string wrk_version(const std::string& wrk, const std::string& scratch_file);

// Parses the script's result line out of wrk's output (exposed for tests).
WrkResult parse_wrk_output(const std::string& output);

}  // namespace fb::harness
