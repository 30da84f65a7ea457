#include "harness/cmd_run.h"
#include "harness/cmd_run_target.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>

#include "framework/dispatch/wait_strategy.h"
#include "framework/options.h"
#include "harness/console_noise.h"
#include "harness/console_probes.h"
#include "harness/console_table.h"
#include "harness/exit_codes.h"
#include "harness/measure.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/route_table.h"
#include "harness/call_floor.h"
#include "harness/stamp_cost.h"
#include "probes/clock.h"
#include "probes/stage_names.h"

namespace fb::harness {

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* cmd = app.add_subcommand("run", "Measure one configuration of the pipeline on a scenario (closed loop)");
  add_load_options(*cmd, o.load, kDefaultRepetitions);
  auto* phase = cmd->add_option("--phase", o.phase,
                                "Cumulative phase: P0 baseline, P1 +direct, P2 +lockfree, P3 +subinterp, P4 +inline-future, "
                                "P5 +fast-marshal (beyond the plan)");
  auto* opt = cmd->add_option("--opt", o.opts,
                              "Optimizations to switch on, comma-separated: direct,lockfree,subinterp,inline-future,fast-marshal");
  phase->excludes(opt);
  cmd->add_option("--wait", o.wait,
                  "How workers wait on the lock-free queue (needs lockfree: --opt lockfree or --phase P2..P5): "
                  "spin (pause loop, never sleeps), yield (sched_yield loop), park (futex sleep at once), "
                  "adaptive (spin, then yield, then park; the default)")
      ->check(CLI::IsMember({"spin", "yield", "park", "adaptive"}));
  cmd->add_option("--out", o.out, "Write the results JSON here (atomically: temp file + rename)");
  add_pipeline_options(*cmd, o.pipeline);
  add_isolation_options(*cmd, o.isolation, {"off", "", "on", "inherit", ""});
  cmd->add_option("--stamps", o.stamps,
                  "Which stage points stamp the clock: all (default), or ends (only arrive and response_ready: the "
                  "total without the instrument's other points, to measure what they cost; the run is labelled "
                  "<config>/ends and reports only total). Not with --probes ebpf|both")
      ->check(CLI::IsMember({"all", "ends"}));
  cmd->add_option("--target", o.target,
                  "Send the scenario's mix over HTTP to a running server (e.g. `fasterbench serve`) at http://HOST:PORT, "
                  "one keep-alive connection per client, and record the latency the clients see; the server's "
                  "configuration is its own, so --phase/--opt/--wait are errors here");
  cmd->add_flag("--explain-routes", o.explain_routes,
                "Print each route's classification (SYNC_FAST / SYNC_BLOCKING / ASYNC), where it runs under the "
                "chosen --phase/--opt, and the reason; then exit without measuring (status 0)");
  cmd->add_option("--probes", o.probes,
                  "Probe backends: inproc (in-process clock, default), ebpf (also the eBPF programs on the USDT "
                  "stage points and the scheduler; needs CAP_BPF+CAP_PERFMON, else continues in-process) or both "
                  "(ebpf plus a per-stage cross-validation of the two)")
      ->check(CLI::IsMember({"inproc", "ebpf", "both"}));
  cmd->add_option("--probe-sample", o.probe_sample,
                  fmt::format("With --probes ebpf|both: 1 request in N fires its USDT stage probes (a prime and a "
                              "hit per point, ~3 µs together here; the sampled requests are kept out of `stages`). Integer "
                              ">= 1, or auto (the default): N chosen after the warm-up so the probes take at most {:.0f} % "
                              "of request time, from the calibrated cost of a sampled point and the path's measured cost",
                              kProbeBudget * 100))
      ->type_name("N|auto");
  cmd->add_flag("--require-ebpf", o.require_ebpf,
                "With --probes ebpf|both: exit 2 with the reason when the eBPF backend cannot run, instead of "
                "continuing in-process");
  cmd->add_flag("--probe-ab", o.probe_ab,
                "With --probes ebpf|both: alternate repetitions with the eBPF programs detached and attached "
                "(A B A B; attached runs are labelled <config>/ebpf), to measure their overhead in one invocation. "
                "Needs --repetitions >= 2");
  cmd->add_flag("--no-probe-stats", o.no_probe_stats,
                "With --probes ebpf|both: do not ask the kernel to account the programs' run time (saves two clock "
                "reads per context switch; the scheduler programs' share of overhead_ns_per_request is then unknown)");
  return cmd;
}

namespace {

OptimizationSet resolve_optimizations(const RunOptions& o) {
  if (!o.opts.empty()) {
    try {
      return parse_optimizations(o.opts);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--opt: ") + e.what());
    }
  }
  const std::string phase = o.phase.empty() ? "P0" : o.phase;
  auto set = phase_optimizations(phase);
  if (!set) throw UsageError("--phase: unknown phase '" + phase + "' (accepted: " + phase_names_list() + ")");
  return *set;
}

WaitPolicy resolve_wait(const RunOptions& o, const OptimizationSet& opts) {
  if (o.wait.empty()) return WaitPolicy::adaptive;
  if (!opts.lockfree) {
    throw UsageError("--wait " + o.wait + " applies to the lock-free queue only; " + config_label(opts) +
                     " uses the mutex queue (add --opt lockfree, or use --phase P2..P5)");
  }
  return *wait_policy_from_name(o.wait);  // CLI11 has checked the spelling
}

ProbeSettings resolve_probes(const RunOptions& o, const ResolvedLoad& load) {
  ProbeSettings p;
  p.mode = o.probes == "ebpf" ? ProbeMode::ebpf : o.probes == "both" ? ProbeMode::both : ProbeMode::inproc;
  if (o.probe_sample != "auto") {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(o.probe_sample.data(), o.probe_sample.data() + o.probe_sample.size(), n);
    if (ec != std::errc() || end != o.probe_sample.data() + o.probe_sample.size() || n < 1) {
      throw UsageError("--probe-sample must be >= 1 (an integer) or auto, got '" + o.probe_sample + "'");
    }
    p.sample = n;
  }
  p.require_ebpf = o.require_ebpf;
  p.alternate = o.probe_ab;
  p.program_stats = !o.no_probe_stats;
  if (p.alternate && p.mode == ProbeMode::inproc) throw UsageError("--probe-ab needs --probes ebpf or both");
  if (o.stamps == "ends" && p.mode != ProbeMode::inproc) {
    throw UsageError("--stamps ends cannot go with --probes " + o.probes + ": the eBPF probes fire at every stage point");
  }
  if (p.alternate && load.repetitions < 2) throw UsageError("--probe-ab needs --repetitions >= 2 (one detached, one attached)");
  return p;
}

void check_output_path(const std::string& out) {
  if (out.empty()) return;
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw UsageError("--out " + out + ": directory " + dir.string() + " does not exist");
}

}  // namespace

int cmd_run(const RunOptions& o) {
  // Placement first (a bad --cpus fails before anything else), then hygiene: re-executing
  // without ASLR or with a fixed environment happens before Python or any thread starts.
  const Placement placement = resolve_placement(o.isolation);
  const HygieneRequest hygiene = resolve_hygiene(o.isolation);
  reexecute_if_needed(hygiene);
  apply_hash_seed(hygiene.hash_seed);
  if (!o.target.empty()) return cmd_run_target(o);
  Scenario scenario;
  try {
    scenario = load_scenario(o.load.scenario);
  } catch (const ScenarioError& e) {
    throw UsageError(e.what());
  }
  const ResolvedLoad load = resolve_load(o.load, scenario);
  const OptimizationSet opts = resolve_optimizations(o);
  if (std::string reason = unavailable_reason(opts); !reason.empty()) {
    throw UsageError(fmt::format("{} is not available: {}", config_label(opts), reason));
  }
  PipelineSettings settings;
  settings.wait = resolve_wait(o, opts);
  settings.demotion = resolve_demotion(o.pipeline);
  settings.delay = resolve_inject_delay(o.load);
  settings.placement = placement;
  settings.stamps_ends = o.stamps == "ends";
  probes::calibrate_clock();
  if (o.explain_routes) {
    const std::unique_ptr<App> app = start_app(scenario, app_config(scenario, load, opts, settings));
    print_route_explanation(scenario, app->routes(), opts, stdout);
    return kExitOk;
  }
  check_output_path(o.out);
  const ProbeSettings probe_settings = resolve_probes(o, load);

  const double stamp_cost = measure_stamp_cost_ns();
  // Before the app starts: the eBPF backend calibrates its probe cost on a quiet process.
  ProbeSession probe_session(probe_settings);
  ResultsDocument doc = make_document("run", scenario, load, settings.demotion, stamp_cost);
  doc.config.wait = std::string(wait_policy_name(settings.wait));
  doc.config.inject_delay = to_string(settings.delay);
  doc.config.probes = probe_mode_name(probe_settings.mode);
  if (probe_session.ebpf_running()) {
    doc.config.probe_sample = probe_settings.sample.value_or(0);
    doc.config.probe_sample_mode = probe_settings.sample ? "fixed" : "auto";
  }
  doc.context.ebpf = probe_session.context();
  doc.context.placement = placement;
  doc.context.process = process_record(hygiene);
  if (settings.delay.active()) {
    fmt::print(stderr, "run: --inject-delay {}: every request busy-waits {} ns in its {} stage (testing aid)\n",
               to_string(settings.delay), settings.delay.ns, probes::stage_name(settings.delay.stage));
  }
  ConfigurationResult measured =
      measure_configuration(scenario, load, opts, settings, stamp_cost, !o.load.no_progress, &probe_session);
  doc.runs = std::move(measured.runs);
  doc.routes = std::move(measured.routes);

  double steal_sum = 0;
  for (const RunRecord& r : doc.runs) steal_sum += r.load.steal_pct;
  doc.context.steal_pct = doc.runs.empty() ? 0 : steal_sum / static_cast<double>(doc.runs.size());

  const nlohmann::json json = results_to_json(doc);
  print_stage_tables(json, stdout);
  print_isolation(json, stdout);
  print_noise(json, stdout);
  print_threads(json, stdout);
  print_route_summary(json, stdout);
  print_interpreters(json, stdout);
  print_probe_sections(json, stdout);
  print_call_floor(json, stdout);
  if (!o.out.empty()) {
    write_file_atomically(o.out, json.dump(2) + "\n");
    fmt::print("results: {}\n", o.out);
  }
  return kExitOk;
}

}  // namespace fb::harness
