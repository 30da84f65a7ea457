#include "harness/commands/sweep.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "harness/cli/exit_codes.h"
#include "harness/commands/phases/child_runs.h"
#include "harness/commands/phases/phases.h"
#include "harness/commands/phases/plan.h"
#include "harness/console/sweep.h"
#include "harness/host/report_launcher.h"
#include "harness/host/subprocess.h"
#include "harness/measure/load_plan.h"
#include "harness/results/atomic_file.h"
#include "harness/results/output_dir.h"
#include "harness/results/summaries.h"
#include "harness/results/sweep_json.h"
#include "harness/text/comma_list.h"
#include "probes/clock.h"

namespace fb::harness {

namespace fs = std::filesystem;

void describe_sweep_command(Command& root, SweepOptions& o) {
  Command& cmd = root.add_subcommand(
      "sweep",
      "Saturation sweep: open-loop steps of increasing rate per phase (a fresh `run --rate R` process each, phases "
      "interleaved at each rate) until a step saturates; writes DIR/sweep.json, the knee per phase and a "
      "latency-vs-throughput chart");
  describe_measurement_options(cmd, o.run, {1, kDefaultPhasesPin, "0", "off", "fixed", kDefaultPhasesPinWhy});
  // The sweep sets the rate of every step and measures each once; a replay has no rate to climb.
  std::erase_if(cmd.options, [](const Option& option) {
    return option.name == "--rate" || option.name == "--repetitions" || option.name == "--replay" ||
           option.name == "--replay-format" || option.name == "--speed" || option.name == "--strict";
  });
  cmd.add({.name = "--phases", .target = &o.phases,
           .help = "Comma-separated phases to sweep, interleaved at each rate (default: P0,P4)"});
  cmd.add({.name = "--rates", .target = &o.rates,
           .help = fmt::format("Comma-separated rates in requests per second, each > 0 (climbed in ascending order), "
                               "or auto: {:g}, doubled until every phase saturates, at most {:g} x the load "
                               "generator's limit measured at the start (default: auto)",
                               kAutoFirstRate, kAutoLimitShare),
           .type_name = "R1,R2,...|auto"});
  cmd.add({.name = "--out", .target = &o.out,
           .help = "Output directory for sweep.json, sweep.md and sweep.png (default: results/sweep-<scenario name>)"});
  cmd.add({.name = "--report-python", .target = &o.report_python,
           .help = "Python with matplotlib for the chart (default: found automatically)"});
  cmd.add({.name = "--no-report", .target = &o.no_report, .help = "Write sweep.json only"});
}

namespace {

// The rate as the child's --rate reads it: shortest exact decimal ("4000", "1500.5").
std::string rate_text(double rate) { return fmt::format("{}", rate); }

// A step's child document read into the typed record the rules judge.
SweepStep read_step(double rate, const nlohmann::json& document) {
  const RunSummary run = run_summary_from_json(document.at("runs").at(0));
  SweepStep step;
  step.offered_rps = rate;
  step.load = run.load;
  const StageFigures& total = run.stage(FB_STAGE_TOTAL);
  step.p50_ns = total.p50_ns;
  step.p99_ns = total.p99_ns;
  step.mean_ns = total.mean_ns;
  if (run.uncorrected_total) step.uncorrected_p99_ns = run.uncorrected_total->p99_ns;
  step.steal_pct = run.steal_pct;
  step.requests = run.requests;
  return step;
}

}  // namespace

int cmd_sweep(const SweepOptions& o, const Command& command) {
  // Check everything before the first child starts: the scenario, the rates, every option (resolved
  // as a child will resolve it), the phases, and that the load generator can offer the rates.
  const Scenario scenario = load_scenario_option(o.run.scenario);
  const SweepRates requested = parse_sweep_rates(o.rates);
  RunOptions checked = o.run;
  checked.rate = rate_text(requested.automatic ? kAutoFirstRate : requested.rates.back());
  checked.repetitions = 1;
  checked.wait.clear();  // --wait applies to the configurations with lockfree only
  const RunSettings settings = resolve_run_settings(checked, scenario);
  const HygieneRequest hygiene = resolve_hygiene(o.run);
  PlanRequest request;
  request.phases = split_commas(o.phases);
  if (request.phases.empty()) throw UsageError("--phases: give at least one phase, e.g. P0,P4");
  const PhasePlan plan = plan_phases(request, 1);

  const LoadPlan load_plan(scenario, settings);
  probes::calibrate_clock();
  // Refuses (exit 2) a listed rate above the limit; auto stays below it.
  const GeneratorLimit limit = check_generator_limit(load_plan, settings.clients);
  std::vector<double> rates = requested.rates;
  if (requested.automatic) {
    rates = automatic_rates(kAutoLimitShare * limit.rps);
    if (rates.empty()) {
      throw UsageError(fmt::format("--rates auto: the load generator's limit here ({:.0f} req/s) is below {:g} req/s / {:g}",
                                   limit.rps, kAutoFirstRate, kAutoLimitShare));
    }
  }

  const fs::path out_dir = o.out.empty() ? fs::path("results") / ("sweep-" + scenario.name) : fs::path(o.out);
  const std::string report_python = o.no_report ? "" : find_report_python(o.report_python);
  std::error_code ec;
  const bool created_out_dir = !fs::exists(out_dir);
  fs::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out " + out_dir.string() + ": " + ec.message());
  OutputDirGuard out_guard{out_dir, created_out_dir};
  ScratchDir scratch{out_dir / fmt::format(".sweep-{}", ::getpid())};
  fs::create_directories(scratch.path);
  if (hygiene.aslr_off) {
    if (std::string why = disable_aslr_for_children(); !why.empty()) {
      fmt::print(stderr, "sweep: warning: cannot turn address-space randomization off for the runs: {}\n", why);
    }
  }

  SweepDocument doc;
  doc.scenario_name = scenario.name;
  doc.scenario_file = scenario.file;
  doc.rates_mode = requested.automatic ? "auto" : "list";
  doc.rates = rates;
  doc.generator_limit_rps = limit.rps;
  doc.arrival = o.run.arrival.empty() ? "poisson" : o.run.arrival;
  for (std::size_t c = 0; c < plan.configs.size(); ++c) {
    SweepPhase phase;
    phase.label = plan.configs[c].label;
    phase.opts = plan.configs[c].opts.names();
    phase.unsupported = plan.unsupported[c];
    phase.climbing = phase.unsupported.empty();
    doc.phases.push_back(std::move(phase));
  }
  std::string rates_list;
  for (double r : rates) rates_list += (rates_list.empty() ? "" : ",") + rate_text(r);
  fmt::print(stderr, "sweep: {} on {} · phases {} · rates {} req/s ({}) · load generator's limit {:.0f} req/s (measured now)\n",
             scenario.name, scenario.file, o.phases, rates_list, doc.rates_mode, limit.rps);
  for (const SweepPhase& p : doc.phases) {
    if (!p.unsupported.empty()) fmt::print(stderr, "sweep: {} unsupported: {}\n", p.label, p.unsupported);
  }

  // Rate by rate, every phase still climbing takes its step, so drift on the machine meets all
  // phases at every rate alike.
  int step_number = 0;
  for (double rate : rates) {
    ChildRunRequest child;
    child.phases_command = &command;
    child.self = self_executable();
    child.wait = o.run.wait;
    child.seed = o.run.seed;
    child.hygiene = hygiene;
    child.extra = {"--rate", rate_text(rate)};
    for (std::size_t c = 0; c < doc.phases.size(); ++c) {
      SweepPhase& phase = doc.phases[c];
      if (!phase.climbing) continue;
      std::string file_label = phase.label;
      std::replace(file_label.begin(), file_label.end(), '/', '_');
      const std::string stem = fmt::format("{:03d}-{}-{}", step_number++, file_label, rate_text(rate));
      const ChildResult result =
          run_child(child, plan.configs[c], 0, scratch.path / (stem + ".json"), scratch.path / (stem + ".log"));
      if (result.status != ChildResult::Status::measured) {
        // A crashed step leaves no figures to judge a climb by: the sweep fails (exit 1, no sweep.json).
        throw std::runtime_error(fmt::format("{} at {} req/s: the child run {}:\n{}", phase.label, rate_text(rate),
                                             result.status == ChildResult::Status::crashed ? result.crashed : "did not run",
                                             result.log_tail));
      }
      const nlohmann::json& document = result.document;
      if (doc.context.is_null()) {
        doc.context = document.value("context", nlohmann::json::object());
        doc.load_plan = document.at("config").value("load_plan", "");
      }
      SweepStep step = read_step(rate, document);
      if (judge_step(phase.steps, step)) phase.climbing = false;
      phase.steps.push_back(step);
      print_sweep_step(phase, phase.steps.back(), stderr);
    }
  }

  const fs::path sweep_path = out_dir / "sweep.json";
  write_file_atomically(sweep_path.string(), sweep_to_json(doc).dump(2) + "\n");
  out_guard.keep = true;
  print_sweep_table(doc.phases, stdout);
  fmt::print("results: {}\n", sweep_path.string());
  if (o.no_report) return kExitOk;
  const int rc = launch_report_module(report_python, "reports.sweep", sweep_path.string(), out_dir.string());
  if (rc != 0) throw std::runtime_error(fmt::format("the sweep report failed (exit {})", rc));
  fmt::print("report: {} and {}\n", (out_dir / "sweep.md").string(), (out_dir / "sweep.png").string());
  return kExitOk;
}

}  // namespace fb::harness
