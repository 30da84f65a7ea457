// What `fasterbench versus` measured, as data: per server its repetitions (wrk's figures and the
// server process's CPU time), the summaries over repetitions, and the ratios to FastAPI with
// bootstrap intervals; then the JSON document (versus.json).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "harness/stats/aggregate.h"
#include "harness/stats/ratio_ci.h"
#include "harness/versus/wrk_run.h"

namespace fb::harness {

// The plan's headline ("Already 17-83x faster than FastAPI"), printed beside the measurement.
inline constexpr double kPlanRatioLow = 17;
inline constexpr double kPlanRatioHigh = 83;

struct VersusRun {
  int repetition = 0;
  WrkResult wrk;
  double cpu_s = 0;                  // server process user+system CPU during the run
  double cpu_us_per_request = 0;
  std::optional<double> steal_pct;   // machine-wide, during the run; none: unknown
};

struct VersusServer {
  std::string name;        // "fasterbench P0", "FastAPI", ...
  std::string kind;        // "fasterbench", "fastapi", "asgi"
  std::string phase;       // fasterbench only
  std::vector<std::string> command;
  std::string log_file;
  bool started = false;
  std::string error;       // why it could not start, or failed later
  double ready_ms = 0;     // from spawn to the first answered request
  std::string banner;      // first line the server printed (versions, configuration)
  std::vector<VersusRun> runs;
  int exit_status = -1;    // after SIGTERM
  double stop_ms = 0;      // SIGTERM -> exited
};

struct VersusSummary {
  Aggregate requests_per_s, p50_us, p99_us, cpu_us_per_request;
  std::uint64_t errors = 0;
  // server / FastAPI for throughput; FastAPI / server for latency and CPU per request: each
  // "how many times better than FastAPI". Empty when FastAPI was not measured.
  std::optional<RatioEstimate> throughput_ratio, p50_ratio, cpu_ratio;
};

// Index of the FastAPI server among `servers` with runs, if any.
std::optional<std::size_t> fastapi_index(const std::vector<VersusServer>& servers);

VersusSummary summarize(const VersusServer& server, const VersusServer* fastapi);

struct VersusContextExtras {
  std::string wrk_version;
  std::string asgi_python;   // executable
  std::string asgi_versions; // the banner of the FastAPI server (Python, uvicorn, loop, parser)
  double load_average_before = 0;
  std::vector<int> server_cpus, tool_cpus;
};

struct VersusConfig {
  std::string tool = "wrk";
  std::int64_t connections = 16, threads = 1, duration_s = 5, warmup_s = 2, repetitions = 3;
  std::int64_t io_threads = 1, workers = 1;
};

// The versus.json document (schema "fasterbench-versus", version 1).
nlohmann::json versus_to_json(const nlohmann::json& context, const std::string& scenario_name,
                              const std::string& scenario_file, const VersusConfig& config,
                              const VersusContextExtras& extras, const std::vector<VersusServer>& servers);

}  // namespace fb::harness
