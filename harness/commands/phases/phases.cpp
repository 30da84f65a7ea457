#include "harness/commands/phases/phases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "harness/cli/exit_codes.h"
#include "harness/commands/phases/child_runs.h"
#include "harness/commands/phases/merge.h"
#include "harness/commands/phases/plan.h"
#include "harness/console/noise.h"
#include "harness/console/load.h"
#include "harness/console/stage_tables.h"
#include "harness/host/report_launcher.h"
#include "harness/host/subprocess.h"
#include "harness/measure/load_plan.h"
#include "harness/results/atomic_file.h"
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
}

namespace {

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  for (char c : list + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

std::string format_duration(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

// Removes the scratch folder of per-run files however cmd_phases leaves.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Removes the output directory on failure if this run created it and left it empty, so a
// failed run leaves nothing behind.
struct OutputDirGuard {
  fs::path path;
  bool created;
  bool keep = false;
  ~OutputDirGuard() {
    std::error_code ec;
    if (created && !keep && fs::is_empty(path, ec)) fs::remove(path, ec);
  }
};

void announce(const Scenario& scenario, const PhasePlan& plan, const RunSettings& settings) {
  std::string labels;
  for (const PlannedConfig& c : plan.configs) labels += (labels.empty() ? "" : " ") + c.label;
  fmt::print(stderr, "phases: {} on {} · {} configuration(s) [{}] x {} repetition(s) = {} runs, a fresh process each\n",
             scenario.name, scenario.file, plan.configs.size(), labels, settings.repetitions, plan.runs.size());
  for (std::size_t c = 0; c < plan.configs.size(); ++c) {
    if (!plan.unsupported[c].empty()) fmt::print(stderr, "phases: {} unsupported: {}\n", plan.configs[c].label, plan.unsupported[c]);
  }
  if (settings.delay.active()) {
    fmt::print(stderr, "phases: --inject-delay {}: every request busy-waits {} ns in its {} stage (testing aid)\n",
               to_string(settings.delay), settings.delay.ns, probes::stage_name(settings.delay.stage));
  }
}

// Runs every planned measurement in its own child process, in plan order; their documents, in
// the same order.
std::vector<nlohmann::json> run_children(const PhasePlan& plan, const ChildRunRequest& request, const fs::path& scratch,
                                         std::int64_t repetitions) {
  std::vector<nlohmann::json> documents;
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const PlannedConfig& config = plan.configs[plan.runs[i].config];
    const int rep = plan.runs[i].repetition;
    std::string file_label = config.label;  // "P0/ends" must not make a directory
    std::replace(file_label.begin(), file_label.end(), '/', '_');
    const std::string stem = fmt::format("{:03d}-{}-r{}", i, file_label, rep);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string eta =
        i == 0 ? "?" : format_duration(elapsed / static_cast<double>(i) * static_cast<double>(plan.runs.size() - i));
    fmt::print(stderr, "[{:>3}/{}] {:<16} rep {}/{} · {} elapsed · ~{} left\n", i + 1, plan.runs.size(), config.label,
               rep + 1, repetitions, format_duration(elapsed), eta);
    documents.push_back(run_child(request, config, rep, scratch / (stem + ".json"), scratch / (stem + ".log")));
  }
  return documents;
}

}  // namespace

int cmd_phases(const PhasesOptions& o, const Command& command) {
  // Check everything before the first child starts: the scenario, every load, pipeline,
  // placement and hygiene option (resolved as a child will resolve them), the phases.
  Scenario scenario;
  try {
    scenario = load_scenario(o.run.scenario);
  } catch (const ScenarioError& e) {
    throw UsageError(e.what());
  }
  RunOptions checked = o.run;
  if (!checked.repetitions && !scenario.load.repetitions) checked.repetitions = kDefaultPhaseRepetitions;
  checked.wait.clear();  // --wait applies to the configurations with lockfree only
  const RunSettings settings = resolve_run_settings(checked, scenario);
  const HygieneRequest hygiene = resolve_hygiene(o.run);
  PlanRequest request;
  request.phases = split_commas(o.phases);
  if (request.phases.empty()) throw UsageError("--phases: give at least one phase, e.g. P0,P1");
  request.ablation = o.ablation;
  request.factorial = o.factorial;
  request.instrumentation_tax = !o.no_instrumentation_tax;
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
  std::error_code ec;
  const bool created_out_dir = !fs::exists(out_dir);
  fs::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out " + out_dir.string() + ": " + ec.message());
  OutputDirGuard out_guard{out_dir, created_out_dir};
  ScratchDir scratch{out_dir / fmt::format(".runs-{}", ::getpid())};
  fs::create_directories(scratch.path);
  announce(scenario, plan, settings);

  if (hygiene.aslr_off) {
    // Inherited by every child across fork and exec: they start without randomization.
    if (std::string why = disable_aslr_for_children(); !why.empty()) {
      fmt::print(stderr, "phases: warning: cannot turn address-space randomization off for the runs: {}\n", why);
    }
  }
  const ChildRunRequest child{&command, self_executable(), o.run.wait, o.run.seed, hygiene};
  PhaseResultsInput merge;
  merge.plan = &plan;
  merge.children = run_children(plan, child, scratch.path, settings.repetitions);
  merge.repetitions = settings.repetitions;
  merge.seed = o.run.seed;
  merge.wait = o.run.wait;
  merge.ablation = o.ablation || o.factorial;
  merge.instrumentation_tax = request.instrumentation_tax;
  if (merge.children.empty()) throw UsageError("phases: no configuration can run here (see the reasons above)");
  const PhaseResults results = merge_phase_results(merge);

  const fs::path results_path = out_dir / "results.json";
  write_file_atomically(results_path.string(), results.document.dump(2) + "\n");
  out_guard.keep = true;
  print_phase_summary(results.summary, results.aggregates, stdout);
  print_load_summary(results.aggregates, stdout);
  print_route_tables(results.aggregates, stdout);
  print_isolation(results.summary, stdout);
  print_noise(results.summary, results.aggregates, stdout);
  print_instrumentation_tax(results.summary, results.instrumentation_tax, stdout);
  print_call_floor(results.aggregates, stdout);
  fmt::print("results: {}\n", results_path.string());
  if (o.no_report) return kExitOk;
  const int rc = launch_report(report_python, results_path.string(), out_dir.string());
  if (rc != 0) throw std::runtime_error(fmt::format("the report generator failed (exit {})", rc));
  fmt::print("report: {}\n", (out_dir / "report.html").string());
  return kExitOk;
}

}  // namespace fb::harness
