// The data a results document is made of, before it becomes JSON (results_json.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/interpreter_record.h"
#include "harness/load/load_result.h"
#include "harness/sysinfo.h"

namespace fb::harness {

struct RouteRecord {
  std::string method, path, handler;
  std::string kind;    // "SYNC_FAST", "SYNC_BLOCKING", "ASYNC": at registration (classified or overridden)
  std::string reason;  // why (the classifier's reason, or the scenario override)
  std::uint64_t demotions = 0;  // over every run of the invocation
  std::string interpreter = "main";  // "main", "own (...)", "main (fallback: <why>)"
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
  std::uint64_t demotions = 0;     // routes demoted during this repetition (warm-up included)
  std::string probes_backend = "inproc";
  double stamp_cost_ns = 0;
  std::string interpreter_layout = "shared-gil";             // or "own-gil" (--opt subinterp)
  std::vector<python::InterpreterRecord> interpreters;       // own-gil: one per Python-running thread
  std::vector<std::string> route_interpreters;               // per route, as RouteRecord::interpreter
};

struct ResultsConfig {
  std::int64_t requests = 0, warmup = 0, clients = 0, workers = 0, repetitions = 0;
  std::uint64_t seed = 0;
  std::string probes = "inproc";
  std::int64_t probe_sample = 0;
  std::int64_t future_spin_ns = 0;  // inline-future's spin before parking (AppConfig::future_spin)
  std::string wait = "adaptive";  // wait policy of the lock-free queue (used by lockfree runs only)
  std::int64_t demote_budget_ns = 0;  // demotion guard (direct path): budget per call
  std::uint32_t demote_after = 0;     // and slow calls before demoting
  std::string subinterp_fallback = "fail";
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
