#include "harness/commands/phases/phases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "harness/cli/exit_codes.h"
#include "harness/commands/phases/child_runs.h"
#include "harness/commands/phases/merge.h"
#include "harness/commands/phases/plan.h"
#include "harness/commands/phases/resume.h"
#include "harness/console/errors.h"
#include "harness/console/instructions.h"
#include "harness/console/load.h"
#include "harness/console/noise.h"
#include "harness/console/stage_tables.h"
#include "harness/host/interrupt.h"
#include "harness/host/report_launcher.h"
#include "harness/host/subprocess.h"
#include "harness/measure/load_plan.h"
#include "harness/measure/measure.h"
#include "harness/results/atomic_file.h"
#include "harness/results/output_dir.h"
#include "harness/results/results_json.h"
#include "harness/text/comma_list.h"
#include "probes/clock.h"
#include "probes/stage_names.h"

namespace fb::harness {

namespace fs = std::filesystem;

void describe_phases_command(Command& root, PhasesOptions& o) {
  Command& cmd = root.add_subcommand(
      "phases",
      "The main job: measure the phases P0..P5 (the plan's P0..P4, and P5 = P4 + fast-marshal; repetitions "
      "interleaved, a fresh process per measurement), write DIR/results.json and the report");
  describe_measurement_options(cmd, o.run,
                               {kDefaultPhaseRepetitions, kDefaultPhasesPin, "0", "off", "fixed", kDefaultPhasesPinWhy});
  cmd.add({.name = "--phases", .target = &o.phases,
           .help = "Comma-separated phases to measure, in order (default: P0,P1,P2,P3,P4,P5)"});
  cmd.add({.name = "--ablation", .target = &o.ablation,
           .help = "Also measure each optimization alone and each left out of all five"});
  cmd.add({.name = "--factorial", .target = &o.factorial, .help = "Also measure all 32 combinations of the five switches"});
  cmd.add({.name = "--out", .target = &o.out,
           .help = "Output directory for results.json and the report (default: results/<scenario name>)"});
  cmd.add({.name = "--report-python", .target = &o.report_python,
           .help = "Python with matplotlib for the report (default: found automatically)"});
  cmd.add({.name = "--no-report", .target = &o.no_report, .help = "Write results.json only"});
  cmd.add({.name = "--no-instrumentation-tax", .target = &o.no_instrumentation_tax,
           .help = "Do not measure what the stage points cost: by default every configuration is also measured with "
                   "only arrive and response_ready stamped (run --stamps ends, labelled <config>/ends), interleaved with "
                   "the others, and the difference of total p50s is reported as its instrumentation tax"});
  describe_max_error_rate_option(cmd, o.run, fmt::format("{:g}", kDefaultPhasesMaxErrorRate));
  cmd.add({.name = "--timeout", .target = &o.timeout_s,
           .help = "Seconds one measurement (one child process) may take before it is stopped (SIGTERM, then SIGKILL) "
                   "and its row marked crashed; 0: no limit (default: " + std::to_string(kDefaultChildTimeoutSeconds) + ")",
           .type_name = "SECONDS", .range = std::pair<double, double>{0, 1e9}});
  cmd.add({.name = "--resume", .target = &o.resume,
           .help = "Finish a run that was interrupted (Ctrl-C or SIGTERM: it wrote DIR/results.json with \"complete\": "
                   "false): measure only what is missing, with the options it was started with, then write the complete "
                   "results and the report. Give it alone",
           .type_name = "DIR"});
  // --scenario is required, except with --resume (which takes it from the interrupted run).
  for (Option& option : cmd.options) {
    if (option.name == "--scenario") option.required = false;
  }
}

namespace {

std::string format_duration(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

void announce(const Scenario& scenario, const PhasePlan& plan, const RunSettings& settings) {
  std::string labels;
  for (const PlannedConfig& c : plan.configs) labels += (labels.empty() ? "" : " ") + c.label;
  fmt::print(stderr, "phases: {} on {} · {} configuration(s) [{}] x {} repetition(s) = {} runs, a fresh process each\n",
             scenario.name, scenario.file, plan.configs.size(), labels, settings.repetitions, plan.runs.size());
  for (std::size_t c = 0; c < plan.configs.size(); ++c) {
    if (!plan.unsupported[c].empty()) fmt::print(stderr, "phases: {} unsupported: {}\n", plan.configs[c].label, plan.unsupported[c]);
  }
  if (settings.delay.active()) announce_injection("phases", settings.delay);
}

// The name of measurement i's files in the runs folder: "003-P0_ends-r1" ("P0/ends" must not
// make a directory).
std::string run_file_stem(const PhasePlan& plan, std::size_t i) {
  std::string label = plan.configs[plan.runs[i].config].label;
  std::replace(label.begin(), label.end(), '/', '_');
  return fmt::format("{:03d}-{}-r{}", i, label, plan.runs[i].repetition);
}

// Runs every planned measurement not done yet in its own child process, in plan order, each
// result into its slot of `results`; stops at once when `interrupt` fires (the child being
// measured is stopped, its slot stays not_run).
void run_children(const PhasePlan& plan, const ChildRunRequest& request, const fs::path& runs_dir,
                  std::int64_t repetitions, const InterruptScope& interrupt, std::vector<ChildResult>& results) {
  std::size_t to_do = 0;
  for (const ChildResult& r : results) to_do += r.status == ChildResult::Status::not_run ? 1 : 0;
  const auto started = std::chrono::steady_clock::now();
  std::size_t done = 0;
  for (std::size_t i = 0; i < plan.runs.size() && interrupt.signal() == 0; ++i) {
    if (results[i].status != ChildResult::Status::not_run) continue;
    const PlannedConfig& config = plan.configs[plan.runs[i].config];
    const int rep = plan.runs[i].repetition;
    const std::string stem = run_file_stem(plan, i);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string eta =
        done == 0 ? "?" : format_duration(elapsed / static_cast<double>(done) * static_cast<double>(to_do - done));
    fmt::print(stderr, "[{:>3}/{}] {:<16} rep {}/{} · {} elapsed · ~{} left\n", i + 1, plan.runs.size(), config.label,
               rep + 1, repetitions, format_duration(elapsed), eta);
    results[i] = run_child(request, config, rep, runs_dir / (stem + ".json"), runs_dir / (stem + ".log"));
    if (results[i].status == ChildResult::Status::crashed) {
      fmt::print(stderr, "phases: {} rep {} crashed: {}; the other measurements go on\n", config.label, rep + 1,
                 results[i].crashed);
    }
    ++done;
  }
}

// A fresh run into a directory that holds an interrupted one: its folder of children's files
// would be orphaned by the new results.json, so it goes (with a note).
void forget_interrupted_run(const fs::path& out_dir) {
  std::ifstream in(out_dir / "results.json");
  if (!in) return;
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("resume") || !doc["resume"].is_object()) return;
  const nlohmann::json& name = doc["resume"].value("runs_dir", nlohmann::json());
  if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().find('/') != std::string::npos) return;
  std::error_code ec;
  fs::remove_all(out_dir / name.get<std::string>(), ec);
  fmt::print(stderr, "phases: {} held an interrupted run; starting afresh (resume one with --resume DIR)\n", out_dir.string());
}

// The document's skeleton when no child was measured: this machine, build and scenario, the
// routes unclassified (no process got as far as loading them).
nlohmann::json document_without_measurements(const Scenario& scenario, const RunSettings& settings) {
  ResultsDocument doc = make_document("phases", scenario, settings, 0.0);
  for (const ScenarioRoute& r : scenario.routes) {
    doc.routes.push_back({r.method, r.path, r.handler, "", "not classified: no measurement completed", 0});
  }
  return results_to_json(doc);
}

// After the stage tables: the crashed repetitions with the last lines each printed.
void print_crashes(const PhasePlan& plan, const std::vector<ChildResult>& results, std::FILE* out) {
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != ChildResult::Status::crashed) continue;
    fmt::print(out, "\ncrashed: {} rep {}: {}\n", plan.configs[plan.runs[i].config].label, plan.runs[i].repetition + 1,
               results[i].crashed);
    if (!results[i].log_tail.empty()) {
      fmt::print(out, "  last lines of its output:\n");
      std::size_t start = 0;
      const std::string& tail = results[i].log_tail;
      while (start < tail.size()) {
        const std::size_t end = std::min(tail.find('\n', start), tail.size());
        fmt::print(out, "  | {}\n", std::string_view(tail).substr(start, end - start));
        start = end + 1;
      }
    }
  }
}

}  // namespace

int cmd_phases(const PhasesOptions& o, const Command& command) {
  if (!o.resume.empty() && only_resume_given(command)) reexecute_to_resume(o.resume);  // does not return
  if (o.run.scenario.empty()) throw UsageError("--scenario is required (or --resume DIR, to finish an interrupted run)");
  // Check everything before the first child starts: the scenario, every load, pipeline,
  // placement and hygiene option (resolved as a child will resolve them), the phases.
  const Scenario scenario = load_scenario_option(o.run.scenario);
  RunOptions checked = o.run;
  if (!checked.repetitions && !scenario.load.repetitions) checked.repetitions = kDefaultPhaseRepetitions;
  checked.wait.clear();  // --wait applies to the configurations with lockfree only
  const RunSettings settings = resolve_run_settings(checked, scenario);
  const HygieneRequest hygiene = resolve_hygiene(o.run);
  const std::optional<double> max_error_rate = parse_max_error_rate(o.run.max_error_rate);
  PlanRequest request;
  request.phases = split_commas(o.phases);
  if (request.phases.empty()) throw UsageError("--phases: give at least one phase, e.g. P0,P1");
  request.ablation = o.ablation;
  request.factorial = o.factorial;
  // The instrument's tax is a time (`--stamps ends`): not measured in instructions.
  request.instrumentation_tax = !o.no_instrumentation_tax && !settings.count_instructions;
  const PhasePlan plan = plan_phases(request, static_cast<int>(settings.repetitions));

  if (settings.open) {
    // A bad trace or a rate above the load generator's limit stops phases before any child runs.
    const LoadPlan load_plan(scenario, settings);
    probes::calibrate_clock();
    const GeneratorLimit limit = check_generator_limit(load_plan, settings.clients);
    fmt::print(stderr, "phases: {}; load generator's limit {:.0f} req/s ({} sender(s), no-op sends, measured now)\n",
               load_plan.describe(), limit.rps, limit.senders);
  }
  const fs::path out_dir = o.out.empty() ? fs::path("results") / scenario.name : fs::path(o.out);
  const std::string report_python = o.no_report ? "" : find_report_python(o.report_python);
  const std::vector<std::string> arguments = phases_arguments();
  std::vector<ChildResult> results(plan.runs.size());
  std::optional<ResumeState> resumed;
  if (!o.resume.empty()) {
    std::error_code same_ec;
    if (!fs::equivalent(out_dir, o.resume, same_ec)) {
      throw UsageError(fmt::format("--resume {}: this run writes to {}, not there", o.resume, out_dir.string()));
    }
    resumed = load_resume_state(out_dir, arguments, plan.runs.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
      const PlannedConfig& config = plan.configs[plan.runs[i].config];
      if (auto c = resumed->crashed.find({config.label, plan.runs[i].repetition}); c != resumed->crashed.end()) {
        results[i] = c->second;
      } else {
        results[i] = read_child_result(resumed->runs_dir / (run_file_stem(plan, i) + ".json"));
      }
      kept += results[i].status != ChildResult::Status::not_run ? 1 : 0;
    }
    fmt::print(stderr, "phases: resuming {}: {} of {} measurements done, {} to go\n", out_dir.string(), kept,
               plan.runs.size(), plan.runs.size() - kept);
  }
  std::error_code ec;
  const bool created_out_dir = !fs::exists(out_dir);
  fs::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out " + out_dir.string() + ": " + ec.message());
  OutputDirGuard out_guard{out_dir, created_out_dir};
  // Each child's results and output, kept until the run is complete (an interrupted run keeps
  // them for --resume).
  if (!resumed) forget_interrupted_run(out_dir);
  // A resumed run's folder goes only once the results are complete: a failure before keeps it.
  ScratchDir scratch{resumed ? resumed->runs_dir : out_dir / fmt::format(".runs-{}", ::getpid()), !resumed};
  fs::create_directories(scratch.path);
  announce(scenario, plan, settings);

  if (hygiene.aslr_off) {
    // Inherited by every child across fork and exec: they start without randomization.
    if (std::string why = disable_aslr_for_children(); !why.empty()) {
      fmt::print(stderr, "phases: warning: cannot turn address-space randomization off for the runs: {}\n", why);
    }
  }
  ChildRunRequest child{&command, self_executable(), o.run.wait, o.run.seed, hygiene};
  if (o.timeout_s > 0) child.timeout = std::chrono::seconds(o.timeout_s);
  int interrupted_by = 0;
  {
    // Ctrl-C and SIGTERM from here on stop the current child and keep what is done.
    const InterruptScope interrupt;
    child.cancel_fd = interrupt.fd();
    run_children(plan, child, scratch.path, settings.repetitions, interrupt, results);
    interrupted_by = interrupt.signal();
  }

  PhaseResultsInput merge;
  merge.plan = &plan;
  merge.children = results;
  merge.repetitions = settings.repetitions;
  merge.seed = o.run.seed;
  merge.wait = o.run.wait;
  merge.ablation = o.ablation || o.factorial;
  merge.instrumentation_tax = request.instrumentation_tax;
  merge.max_error_rate = max_error_rate;
  const bool any_measured = std::any_of(results.begin(), results.end(), [](const ChildResult& r) {
    return r.status == ChildResult::Status::measured;
  });
  if (!any_measured) merge.fallback_document = document_without_measurements(scenario, settings);
  if (plan.runs.empty()) throw UsageError("phases: no configuration can run here (see the reasons above)");
  PhaseResults merged = merge_phase_results(merge);
  if (merged.not_run > 0) merged.document["resume"] = resume_block(arguments, scratch.path, plan.runs.size());

  const fs::path results_path = out_dir / "results.json";
  write_file_atomically(results_path.string(), merged.document.dump(2) + "\n");
  out_guard.keep = true;
  if (merged.not_run > 0) {
    // Interrupted: what is measured is in results.json; the children's files stay for --resume.
    scratch.path.clear();
    fmt::print(stderr,
               "phases: interrupted by {}: {} of {} measurements done ({} crashed); {} written with \"complete\": false\n"
               "phases: to measure the rest and write the report: fasterbench phases --resume {}\n",
               signal_name(interrupted_by == 0 ? SIGINT : interrupted_by), merged.measured + merged.crashed,
               plan.runs.size(), merged.crashed, results_path.string(), out_dir.string());
    return kExitInterrupted;
  }
  scratch.remove = true;  // complete: the children's files are merged
  if (settings.count_instructions) {
    print_instruction_tables(merged.instruction_runs, merged.measure, stdout);
    print_crashes(plan, results, stdout);
  } else {
    print_phase_summary(merged.summary, merged.aggregates, stdout);
    print_load_summary(merged.aggregates, stdout);
    print_route_tables(merged.aggregates, stdout);
    print_errors(merged.aggregates, max_error_rate, stdout);
    print_crashes(plan, results, stdout);
    print_isolation(merged.summary, stdout);
    print_noise(merged.summary, merged.aggregates, stdout);
    print_instrumentation_tax(merged.summary, merged.instrumentation_tax, stdout);
    print_call_floor(merged.aggregates, stdout);
  }
  fmt::print("results: {}\n", results_path.string());

  std::vector<std::string> failures = error_rate_failures(merged.aggregates, max_error_rate);
  for (std::string& f : failures) f = "too many errors: " + f;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != ChildResult::Status::crashed) continue;
    failures.push_back(fmt::format("{} rep {} crashed: {}", plan.configs[plan.runs[i].config].label,
                                   plan.runs[i].repetition + 1, results[i].crashed));
  }
  if (!o.no_report && merged.measured > 0) {
    const int rc = launch_report(report_python, results_path.string(), out_dir.string());
    if (rc != 0) throw std::runtime_error(fmt::format("the report generator failed (exit {})", rc));
    fmt::print("report: {}\n", (out_dir / "report.html").string());
  } else if (!o.no_report) {
    fmt::print("report: none (no configuration was measured)\n");
  }
  for (const std::string& f : failures) fmt::print(stderr, "phases: FAILED: {}\n", f);
  return failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace fb::harness
