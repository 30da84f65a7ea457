#include "harness/commands/run.h"

#include <fmt/format.h>

#include <charconv>

#include "harness/cli/exit_codes.h"
#include "harness/commands/run_target.h"
#include "harness/console/errors.h"
#include "harness/console/instructions.h"
#include "harness/console/load.h"
#include "harness/console/noise.h"
#include "harness/console/probes.h"
#include "harness/console/routes.h"
#include "harness/console/stage_tables.h"
#include "harness/host/sysinfo.h"
#include "harness/measure/callgrind.h"
#include "harness/measure/instruction_windows.h"
#include "harness/measure/measure.h"
#include "harness/measure/stamp_cost.h"
#include "harness/probes/probe_session.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/results/summaries.h"
#include "probes/clock.h"
#include "probes/instruction_count.h"
#include "probes/stage_names.h"

namespace fb::harness {

void describe_run_command(Command& root, RunOptions& o) {
  Command& cmd = root.add_subcommand("run", "Measure one configuration of the pipeline on a scenario (closed loop; open loop with --rate, a recorded trace with --replay)");
  describe_measurement_options(cmd, o, {});
  describe_configuration_options(cmd, o);
  cmd.add({.name = "--out", .target = &o.out, .help = "Write the results JSON here (atomically: temp file + rename)"});
  describe_max_error_rate_option(cmd, o, "off");
  cmd.add({.name = "--stamps", .target = &o.stamps,
           .help = "Which stage points stamp the clock: all (default), or ends (only arrive and response_ready: the "
                   "total without the instrument's other points, to measure what they cost; the run is labelled "
                   "<config>/ends and reports only total). Not with --probes ebpf|both",
           .choices = {"all", "ends"}});
  cmd.add({.name = "--target", .target = &o.target,
           .help = "Send the scenario's mix over HTTP to a running server (e.g. `fasterbench serve`) at http://HOST:PORT, "
                   "one keep-alive connection per client, and record the latency the clients see; the server's "
                   "configuration is its own, so --phase/--opt/--wait are errors here",
           .type_name = "URL"});
  cmd.add({.name = "--explain-routes", .target = &o.explain_routes,
           .help = "Print each route's classification (SYNC_FAST / SYNC_BLOCKING / ASYNC), where it runs under the "
                   "chosen --phase/--opt, and the reason; then exit without measuring (status 0)"});
  cmd.add({.name = "--probes", .target = &o.probes,
           .help = "Probe backends: inproc (in-process clock, default), ebpf (also the eBPF programs on the USDT "
                   "stage points and the scheduler; needs CAP_BPF+CAP_PERFMON, else continues in-process) or both "
                   "(ebpf plus a per-stage cross-validation of the two)",
           .choices = {"inproc", "ebpf", "both"}});
  cmd.add({.name = "--probe-sample", .target = &o.probe_sample,
           .help = fmt::format("With --probes ebpf|both: 1 request in N fires its USDT stage probes (a prime and a "
                               "hit per point, ~3 µs together here; the sampled requests are kept out of `stages`). Integer "
                               ">= 1, or auto (the default): N chosen after the warm-up so the probes take at most {:.0f} % "
                               "of request time, from the calibrated cost of a sampled point and the path's measured cost",
                               kProbeBudget * 100),
           .type_name = "N|auto"});
  cmd.add({.name = "--require-ebpf", .target = &o.require_ebpf,
           .help = "With --probes ebpf|both: exit 2 with the reason when the eBPF backend cannot run, instead of "
                   "continuing in-process"});
  cmd.add({.name = "--probe-ab", .target = &o.probe_ab,
           .help = "With --probes ebpf|both: alternate repetitions with the eBPF programs detached and attached "
                   "(A B A B; attached runs are labelled <config>/ebpf), to measure their overhead in one invocation. "
                   "Needs --repetitions >= 2"});
  cmd.add({.name = "--no-probe-stats", .target = &o.no_probe_stats,
           .help = "With --probes ebpf|both: do not ask the kernel to account the programs' run time (saves two clock "
                   "reads per context switch; the scheduler programs' share of overhead_ns_per_request is then unknown)"});
}

namespace {

ProbeSettings resolve_probes(const RunOptions& o, const RunSettings& settings) {
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
  if (settings.stamps_ends && p.mode != ProbeMode::inproc) {
    throw UsageError("--stamps ends cannot go with --probes " + o.probes + ": the eBPF probes fire at every stage point");
  }
  if (p.alternate && settings.repetitions < 2) throw UsageError("--probe-ab needs --repetitions >= 2 (one detached, one attached)");
  return p;
}

void print_console(const ResultsDocument& doc) {
  const DocumentSummary summary = summarize_document(doc);
  print_stage_tables(summary, doc.aggregates, stdout);
  print_load(doc, stdout);
  print_route_tables(doc.aggregates, stdout);
  print_errors(doc.aggregates, doc.config.max_error_rate, stdout);
  print_isolation(summary, stdout);
  print_noise(summary, doc.aggregates, stdout);
  print_threads(doc, stdout);
  print_route_summary(doc.routes, stdout);
  print_interpreters(doc, stdout);
  print_probe_sections(doc, stdout);
  print_call_floor(doc.aggregates, stdout);
}

}  // namespace

namespace {

// --measure instructions, before anything is measured: what it cannot go with.
void check_instruction_mode(const RunOptions& o) {
  if (o.measure != "instructions") return;
  if (!o.target.empty()) throw UsageError("--measure instructions counts this process's pipeline: not with --target");
  if (o.probes != "inproc") {
    throw UsageError("--measure instructions cannot go with --probes " + o.probes +
                     ": Valgrind cannot run eBPF programs, and the USDT probes would be counted as pipeline work");
  }
}

// Not yet under Callgrind: time the same configuration natively once (the slowdown factor's
// denominator), then run this command line again under Callgrind and pass its status on.
int rerun_under_callgrind(const Scenario& scenario, const RunSettings& settings) {
  InstructionTool tool = find_callgrind();
  const std::vector<std::string>& argv = remembered_command_line();
  if (argv.empty()) throw UsageError("--measure instructions re-runs the command line, and there is none to re-run");
  RunSettings native = settings;
  native.repetitions = 1;
  native.count_instructions = false;
  const LoadPlan native_plan(scenario, native);
  const ConfigurationResult timed = measure_configuration(scenario, native, native_plan, 0.0, false);
  const LoadResult& load = timed.runs.at(0).load;
  if (load.requests > 0) tool.native_ns_per_request = load.duration_s * 1e9 / static_cast<double>(load.requests);
  fmt::print(stderr, "run: --measure instructions: natively {:.0f} ns/request; now under callgrind {} ({} windows of {} requests)\n",
             tool.native_ns_per_request.value_or(0), tool.version, kInstructionWindowStages.size() + 1, settings.requests);
  std::fflush(stderr);
  return run_under_callgrind(argv, tool);
}

MeasureRecord instruction_measure_record(const std::vector<RunRecord>& runs) {
  const InstructionTool tool = callgrind_tool_from_environment();
  MeasureRecord m;
  m.metric = "instructions";
  m.tool = tool.name;
  m.version = tool.version;
  m.options = tool.options;
  m.native_ns_per_request = tool.native_ns_per_request;
  double window_s = 0;
  std::uint64_t requests = 0;
  for (const RunRecord& r : runs) {
    if (!r.instructions) continue;
    window_s += r.instructions->window_s;
    requests += r.instructions->requests_per_window;
  }
  if (requests > 0) m.instrumented_ns_per_request = window_s * 1e9 / static_cast<double>(requests);
  if (m.native_ns_per_request && m.instrumented_ns_per_request) m.slowdown = *m.instrumented_ns_per_request / *m.native_ns_per_request;
  return m;
}

}  // namespace

int cmd_run(const RunOptions& o) {
  check_instruction_mode(o);
  if (!o.target.empty()) return cmd_run_target(o);
  // Everything is checked before anything starts; then hygiene: re-executing without ASLR or
  // with a fixed environment happens before Python or any thread starts.
  const Scenario scenario = load_scenario_option(o.scenario);
  const RunSettings settings = resolve_run_settings(o, scenario);
  const HygieneRequest hygiene = resolve_hygiene(o);
  require_available(settings.opts);
  reexecute_if_needed(hygiene);
  apply_hash_seed(hygiene.hash_seed);
  probes::calibrate_clock();
  if (o.explain_routes) {
    const std::unique_ptr<App> app = start_app(scenario, app_config(scenario, settings));
    print_route_explanation(scenario, app->routes(), settings.opts, stdout);
    return kExitOk;
  }
  require_output_directory("--out", o.out);
  const ProbeSettings probe_settings = resolve_probes(o, settings);
  if (settings.count_instructions) {
    if (!under_callgrind()) return rerun_under_callgrind(scenario, settings);
    probes::g_instruction_count_on = true;  // before the app starts any thread
  }
  const LoadPlan plan(scenario, settings);
  // Before the app starts, on a quiet process: the generator's own limit (open loop and replay).
  std::optional<GeneratorLimit> limit;
  if (plan.open()) limit = check_generator_limit(plan, settings.clients);
  const std::optional<double> max_error_rate = parse_max_error_rate(o.max_error_rate);

  const double stamp_cost = measure_stamp_cost_ns();
  // Before the app starts: the eBPF backend calibrates its probe cost on a quiet process.
  ProbeSession probe_session(probe_settings);
  ResultsDocument doc = make_document("run", scenario, settings, stamp_cost);
  doc.config.probes = probe_mode_name(probe_settings.mode);
  if (probe_session.ebpf_running()) {
    doc.config.probe_sample = probe_settings.sample.value_or(0);
    doc.config.probe_sample_mode = probe_settings.sample ? "fixed" : "auto";
  }
  doc.config.max_error_rate = max_error_rate;
  doc.context.ebpf = probe_session.context();
  doc.context.placement = settings.placement;
  doc.context.process = process_record(hygiene);
  doc.config.load = plan.mode();
  doc.config.load_plan = plan.describe();
  if (settings.delay.active()) announce_injection("run", settings.delay);
  if (plan.open()) {
    fmt::print(stderr, "run: {}; load generator's limit {:.0f} req/s ({} sender(s), no-op sends, measured now)\n",
               plan.describe(), limit->rps, limit->senders);
  }
  ConfigurationResult measured =
      measure_configuration(scenario, settings, plan, stamp_cost, !o.no_progress, &probe_session);
  for (RunRecord& r : measured.runs) r.generator_limit = limit;
  doc.runs = std::move(measured.runs);
  doc.routes = std::move(measured.routes);

  std::vector<std::optional<double>> steals;
  std::vector<RunSummary> summaries;
  for (const RunRecord& r : doc.runs) {
    steals.push_back(r.load.steal_pct);
    if (!r.instructions) summaries.push_back(summarize_run(r));
  }
  doc.context.steal_pct = mean_of_known(steals);
  if (settings.count_instructions) {
    // No times in this mode: no time statistics either.
    doc.context.measure = instruction_measure_record(doc.runs);
    print_instruction_tables(doc.runs, doc.context.measure, stdout);
  } else {
    doc.aggregates = aggregate_configurations(summaries);
    mark_error_rate_limit(doc.aggregates, max_error_rate);
    print_console(doc);
  }
  if (!o.out.empty()) {
    write_file_atomically(o.out, results_to_json(doc).dump(2) + "\n");
    fmt::print("results: {}\n", o.out);
  }
  const std::vector<std::string> failures = error_rate_failures(doc.aggregates, max_error_rate);
  for (const std::string& f : failures) fmt::print(stderr, "run: FAILED: too many errors: {}\n", f);
  return failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace fb::harness
