// The data a results document is made of, before it becomes JSON (results_json.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/interpreter_record.h"
#include "harness/hygiene/process_hygiene.h"
#include "harness/load/generator_limit.h"
#include "harness/load/load_result.h"
#include "harness/load/replay.h"
#include "harness/placement/placement.h"
#include "harness/placement/thread_census.h"
#include "harness/results/route_errors.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/cross_validation.h"
#include "harness/host/sysinfo.h"
#include "probes/ebpf_backend.h"
#include "probes/stage_names.h"

namespace fb::harness {

struct RouteRecord {
  std::string method, path, handler;
  std::string kind;    // "SYNC_FAST", "SYNC_BLOCKING", "ASYNC": at registration (classified or overridden)
  std::string reason;  // why (the classifier's reason, or the scenario override)
  std::uint64_t demotions = 0;  // over every run of the invocation
  std::string interpreter = "main";  // "main", "own (...)", "main (fallback: <why>)"
};

// The per-hit cost of a USDT stage probe with the stage program attached, measured at start-up:
// stage points of sampled requests fired in a tight loop with the programs detached, then
// attached (harness/probe_cost.h).
struct HitCostCalibration {
  double hit_ns = 0;                 // attached - detached, per probe hit
  double prime_ns = 0;               // the same per prime (probes/usdt.h)
  double point_ns = 0;               // the same per sampled point: prime, stamp and hit
  double detached_ns_per_point = 0;  // median over batches, per sampled point
  double attached_ns_per_point = 0;
  std::uint64_t points = 0;          // stage points fired per measurement and mode
};

// What the eBPF programs saw during one run: runs[].probes.ebpf.
struct EbpfRunRecord {
  probes::EbpfSnapshot snapshot;
  HitCostCalibration calibration;
  std::array<double, probes::kStageCount> probe_hits{};  // mean primed points inside each stage
  std::array<PointSkew, probes::kPointCount> point_skew{};
  double usdt_ns_per_request = 0;  // (hits x hit cost + primes x prime cost) / measured requests
  std::optional<double> sched_ns_per_request;  // scheduler programs' run time / measured requests
};

// A run sent over HTTP to a server (`run --target`): where to, and what the connections met.
struct TargetRecord {
  std::string url;
  std::uint64_t transport_errors = 0;  // resets, broken responses
  std::uint64_t reconnects = 0;
};

// One scenario route's part of a run: runs[].routes[], in the order of the document's routes[].
// Its stages have the shape of runs[].stages (every stage, count 0 where the route never went),
// computed from the route's own requests, so a route's stage medians are never mixed with another
// path's (the run's stages stack a dispatch that 10 % of requests take on a total that 90 % reach
// directly).
struct RouteRun {
  std::size_t route = 0;  // index into routes[]
  std::string method, path;  // as routes[] has them, for a reader of this record alone
  std::uint64_t requests = 0;       // measured, sampled ones included
  std::uint64_t client_errors = 0;  // 4xx
  RouteErrorRecord errors;          // 5xx: count and the first distinct errors
  std::shared_ptr<const probes::InprocRecorder> stages;  // the route's unsampled measured requests
};

// `--measure instructions`: what Callgrind counted in one repetition (harness/measure/
// instruction_windows.h). Per request of the window, so the stages add up to the total.
struct InstructionCounts {
  std::uint64_t requests_per_window = 0;
  std::vector<std::uint64_t> window_instructions;  // window 0 (every stage), then one per stage
  double per_request = 0;                          // window 0 / requests
  // route .. other, and total (= per_request); empty for the front end's stages and the open
  // loop's queue (never counted: instructions mode runs a closed loop in this process).
  std::array<std::optional<double>, probes::kStageCount> stage_per_request{};
  double closure = 0;   // sum of the stage windows / window 0 (1 = every instruction in one stage)
  double window_s = 0;  // wall time of window 0 under Callgrind (for the slowdown factor only)
};

struct RunRecord {
  std::string config;              // display label: "P2", "lockfree", ...
  std::string phase;               // "P0".."P4", or "" for other switch sets
  std::vector<std::string> opts;   // enabled optimizations, plan order
  std::string wait;                // lock-free queue wait policy; "" when the run has no lockfree
  int repetition = 0;
  bool supported = true;
  std::string unsupported_reason;  // set when !supported; the run then has no measurements
  // phases: the child measuring this repetition died ("signal 6 (SIGABRT)", "exit status 1",
  // "timed out after 600 s"); the run then has no measurements, crash_log its output's last lines.
  std::string crashed;
  std::string crash_log;
  LoadResult load;
  std::uint64_t demotions = 0;     // routes demoted during this repetition (warm-up included)
  std::string probes_backend = "inproc";  // what ran: inproc, ebpf or both
  double stamp_cost_ns = 0;
  double call_floor_ns = 0;  // attach + call + detach, measured after the repetition (call_floor.h)
  std::string probes_requested = "inproc";  // --probes as given
  std::string ebpf_unavailable;  // why the eBPF backend did not run although requested
  std::int64_t probe_sample = 0;  // 1 request in N fires the USDT probes; 0: none
  std::string probe_sample_reason;  // fixed, or how auto chose N
  std::optional<EbpfRunRecord> ebpf;  // the programs were attached for this run
  std::vector<CrossValidationRow> cross_validation;  // --probes both, when attached
  std::string interpreter_layout = "shared-gil";             // or "own-gil" (--opt subinterp)
  std::vector<python::InterpreterRecord> interpreters;       // own-gil: one per Python-running thread
  std::vector<std::string> route_interpreters;               // per route, as RouteRecord::interpreter
  std::vector<ThreadRecord> threads;  // every thread of the process over the measured part
  std::string stamps = "all";  // "all" stage points, or only the two "ends"
  std::optional<TargetRecord> target;  // --target: the load went to a server, `total` is client-side
  std::vector<RouteRun> routes;        // per scenario route
  std::optional<GeneratorLimit> generator_limit;  // open loop and replay: measured before the run
  std::optional<ReplayReport> replay;             // replay: what the trace held
  std::optional<InstructionCounts> instructions;  // --measure instructions: the run reports these, no times
};

struct ResultsConfig {
  std::int64_t requests = 0, warmup = 0, clients = 0, workers = 0, repetitions = 0;
  std::uint64_t seed = 0;
  std::string probes = "inproc";
  std::int64_t probe_sample = 0;  // the fixed 1-in-N; 0: none ran, or auto (runs[].probes.sample has each run's N)
  std::string probe_sample_mode;  // "auto" or "fixed"; "" when no eBPF ran
  std::int64_t future_spin_ns = 0;  // inline-future's spin before parking (AppConfig::future_spin)
  std::string wait = "adaptive";  // wait policy of the lock-free queue (used by lockfree runs only)
  std::int64_t demote_budget_ns = 0;  // demotion guard (direct path): budget per call
  std::uint32_t demote_after = 0;     // and slow calls before demoting
  std::string subinterp_fallback = "fail";
  std::string inject_delay;  // "dispatch=2000" (testing aid, framework/inject_delay.h); "" = none
  std::string target;        // run --target URL; "" = the pipeline in this process
  std::string load = "closed";  // closed | open | replay
  std::string load_plan;        // the schedule in words (LoadPlan::describe)
  std::optional<double> max_error_rate;  // --max-error-rate; none: off
  std::string inject_work;   // "marshal=5000" (--inject-work, framework/inject_delay.h); "" = none
  std::string measure = "time";  // --measure: "time" or "instructions"
};

// context.measure: what the figures of this document are and which tool made them.
struct MeasureRecord {
  std::string metric = "time";  // "time" (the in-process clock) or "instructions"
  std::string tool = "inproc-clock";
  std::string version;          // the tool's (Valgrind's for callgrind)
  std::vector<std::string> options;  // the tool's options
  std::optional<double> native_ns_per_request;        // instructions: the same configuration, natively
  std::optional<double> instrumented_ns_per_request;  // and under the tool (window 0)
  std::optional<double> slowdown;                     // instrumented / native
};

// The eBPF backend as this invocation found it: context.ebpf.
struct EbpfContext {
  bool compiled_in = false;
  bool requested = false;
  bool available = false;
  std::string reason;       // why not available
  std::string description;  // libbpf version and BTF source, when available
  std::optional<HitCostCalibration> calibration;
};

struct ResultsContext {
  MachineInfo machine;
  BuildInfo build;
  python::PythonInfo python;
  std::string date;
  std::optional<double> steal_pct;  // mean over the measured runs that know theirs; none: unknown
  std::string clock_source;
  double ns_per_tick = 1;
  double stamp_cost_ns = 0;
  EbpfContext ebpf;
  std::optional<Placement> placement;
  std::optional<ProcessRecord> process;  // process hygiene in effect
  MeasureRecord measure;  // --pin / --cpus as applied; absent: not recorded (older callers)
};

struct ResultsDocument {
  std::string command;  // "run", "phases"
  ResultsContext context;
  std::string scenario_name, scenario_file;
  ResultsConfig config;
  std::vector<RouteRecord> routes;
  std::vector<RunRecord> runs;
  std::vector<ConfigurationAggregate> aggregates;  // over `runs`, computed by the command that measured them
};

}  // namespace fb::harness
