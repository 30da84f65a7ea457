// The data a results document is made of, before it becomes JSON (results_json.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "harness/load/load_result.h"
#include "harness/sysinfo.h"

namespace fb::harness {

struct RouteRecord {
  std::string method, path, handler, kind, reason;
  std::uint64_t demotions = 0;
};

struct RunRecord {
  std::string config;              // display label: "P2", "lockfree", ...
  std::string phase;               // "P0".."P4", or "" for other switch sets
  std::vector<std::string> opts;   // enabled optimizations, plan order
  std::string wait;                // lock-free queue wait policy; "" when the run has no lockfree
  int repetition = 0;
  bool supported = true;
  std::string unsupported_reason;  // set when !supported; the run then has no measurements
  LoadResult load;
  std::uint64_t demotions = 0;
  std::string probes_backend = "inproc";
  double stamp_cost_ns = 0;
};

struct ResultsConfig {
  std::int64_t requests = 0, warmup = 0, clients = 0, workers = 0, repetitions = 0;
  std::uint64_t seed = 0;
  std::string probes = "inproc";
  std::int64_t probe_sample = 0;
  std::int64_t future_spin_ns = 0;  // inline-future's spin before parking (AppConfig::future_spin)
  std::string wait = "adaptive";  // wait policy of the lock-free queue (used by lockfree runs only)
  std::string inject_delay;  // "dispatch=2000" (testing aid, framework/inject_delay.h); "" = none
};

struct ResultsContext {
  MachineInfo machine;
  BuildInfo build;
  python::PythonInfo python;
  std::string date;
  double steal_pct = 0;  // over all measured runs
  std::string clock_source;
  double ns_per_tick = 1;
  double stamp_cost_ns = 0;
};

struct ResultsDocument {
  std::string command;  // "run", "phases"
  ResultsContext context;
  std::string scenario_name, scenario_file;
  ResultsConfig config;
  std::vector<RouteRecord> routes;
  std::vector<RunRecord> runs;
};

}  // namespace fb::harness
