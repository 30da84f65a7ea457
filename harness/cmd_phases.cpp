#include "harness/cmd_phases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "framework/options.h"
#include "harness/call_floor.h"
#include "harness/console_noise.h"
#include "harness/console_table.h"
#include "harness/exit_codes.h"
#include "harness/phase_plan.h"
#include "harness/report_launcher.h"
#include "harness/results/ablation.h"
#include "harness/results/atomic_file.h"
#include "harness/results/instrumentation_tax.h"
#include "harness/results/results_json.h"
#include "harness/subprocess.h"
#include "probes/stage_names.h"

namespace fb::harness {

namespace fs = std::filesystem;
using nlohmann::json;

CLI::App* add_phases_command(CLI::App& app, PhasesOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "phases",
      "The main job: measure the phases P0..P5 (the plan's P0..P4, and P5 = P4 + fast-marshal; repetitions interleaved, a fresh process per measurement), "
      "write DIR/results.json and the report");
  add_load_options(*cmd, o.load, kDefaultPhaseRepetitions);
  add_pipeline_options(*cmd, o.pipeline);
  add_isolation_options(*cmd, o.isolation, {kDefaultPhasesPin, "0", "off", "fixed", kDefaultPhasesPinWhy});
  cmd->add_option("--phases", o.phases, "Comma-separated phases to measure, in order (default: P0,P1,P2,P3,P4,P5)");
  cmd->add_flag("--ablation", o.ablation, "Also measure each optimization alone and each left out of all five");
  cmd->add_flag("--factorial", o.factorial, "Also measure all 32 combinations of the five switches");
  cmd->add_option("--out", o.out, "Output directory for results.json and the report (default: results/<scenario name>)");
  cmd->add_option("--report-python", o.report_python, "Python with matplotlib for the report (default: found automatically)");
  cmd->add_flag("--no-report", o.no_report, "Write results.json only");
  cmd->add_flag("--no-instrumentation-tax", o.no_instrumentation_tax,
                "Do not measure what the stage points cost: by default every configuration is also measured with "
                "only arrive and response_ready stamped (run --stamps ends, labelled <config>/ends), interleaved with "
                "the others, and the difference of total p50s is reported as its instrumentation tax");
  cmd->add_option("--wait", o.wait,
                  "How workers wait on the lock-free queue, in the configurations with lockfree: "
                  "spin, yield, park or adaptive (default)")
      ->check(CLI::IsMember({"spin", "yield", "park", "adaptive"}));
  return cmd;
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

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
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

}  // namespace

int cmd_phases(const PhasesOptions& o) {
  Scenario scenario;
  try {
    scenario = load_scenario(o.load.scenario);
  } catch (const ScenarioError& e) {
    throw UsageError(e.what());
  }
  LoadOptions load_options = o.load;
  if (!load_options.repetitions && !scenario.load.repetitions) load_options.repetitions = kDefaultPhaseRepetitions;
  const ResolvedLoad load = resolve_load(load_options, scenario);
  resolve_demotion(o.pipeline);  // bad values fail here, not in the first run
  const InjectedDelay delay = resolve_inject_delay(o.load);  // checked before anything runs
  resolve_placement(o.isolation);  // a CPU this process may not use, split on one CPU: exit 2 now
  const HygieneRequest hygiene = resolve_hygiene(o.isolation);

  PlanRequest request;
  request.phases = split_commas(o.phases);
  if (request.phases.empty()) throw UsageError("--phases: give at least one phase, e.g. P0,P1");
  request.ablation = o.ablation;
  request.factorial = o.factorial;
  std::vector<PlannedConfig> configs = plan_configs(request);
  if (!o.no_instrumentation_tax) {
    const std::size_t measured_configs = configs.size();
    for (std::size_t c = 0; c < measured_configs; ++c) {
      if (!unavailable_reason(configs[c].opts).empty()) continue;  // nothing to compare with
      configs.push_back({configs[c].label + kEndsSuffix, configs[c].opts, true});
    }
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

  std::vector<std::string> unsupported(configs.size());
  for (std::size_t c = 0; c < configs.size(); ++c) unsupported[c] = unavailable_reason(configs[c].opts);

  std::vector<PlannedRun> plan;
  for (const PlannedRun& r : interleave(configs.size(), static_cast<int>(load.repetitions))) {
    if (unsupported[r.config].empty()) plan.push_back(r);
  }
  std::vector<std::string> labels;
  for (const auto& c : configs) labels.push_back(c.label);
  fmt::print(stderr, "phases: {} on {} · {} configuration(s) [{}] x {} repetition(s) = {} runs, a fresh process each\n",
             scenario.name, scenario.file, configs.size(), join(labels, " "), load.repetitions, plan.size());
  for (std::size_t c = 0; c < configs.size(); ++c) {
    if (!unsupported[c].empty()) fmt::print(stderr, "phases: {} unsupported: {}\n", configs[c].label, unsupported[c]);
  }
  if (delay.active()) {
    fmt::print(stderr, "phases: --inject-delay {}: every request busy-waits {} ns in its {} stage (testing aid)\n",
               to_string(delay), delay.ns, probes::stage_name(delay.stage));
  }

  if (hygiene.aslr_off) {
    // Inherited by every child across fork and exec: they start without randomization.
    if (std::string why = disable_aslr_for_children(); !why.empty()) {
      fmt::print(stderr, "phases: warning: cannot turn address-space randomization off for the runs: {}\n", why);
    }
  }
  const std::string self = self_executable();
  const auto started = std::chrono::steady_clock::now();
  json base;  // the first run's document: context, scenario, routes (demotions summed over all runs)
  std::vector<json> runs_by_position(plan.size());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlannedConfig& config = configs[plan[i].config];
    const int rep = plan[i].repetition;
    std::string file_label = config.label;  // "P0/ends" must not make a directory
    std::replace(file_label.begin(), file_label.end(), '/', '_');
    const std::string stem = fmt::format("{:03d}-{}-r{}", i, file_label, rep);
    const fs::path json_path = scratch.path / (stem + ".json");
    const fs::path log_path = scratch.path / (stem + ".log");
    std::vector<std::string> argv = {self, "run", "--scenario", scenario.file,
                                     "--requests", std::to_string(load.requests), "--warmup", std::to_string(load.warmup),
                                     "--clients", std::to_string(load.clients), "--workers", std::to_string(load.workers),
                                     "--repetitions", "1", "--seed", std::to_string(load.seed + static_cast<std::uint64_t>(rep)),
                                     "--future-spin-ns", std::to_string(load.future_spin_ns),
                                     "--demote-budget-us", fmt::format("{}", o.pipeline.demote_budget_us),
                                     "--demote-after", std::to_string(o.pipeline.demote_after),
                                     "--subinterp-fallback", std::string(subinterp_fallback_name(load.subinterp_fallback)),
                                     "--no-progress", "--out", json_path.string()};
    for (std::string& arg : isolation_arguments(o.isolation)) argv.push_back(std::move(arg));
    if (delay.active()) {
      argv.push_back("--inject-delay");
      argv.push_back(to_string(delay));
    }
    const std::string opt_list = join(config.opts.names(), ",");
    if (!opt_list.empty()) {
      argv.push_back("--opt");
      argv.push_back(opt_list);
    }
    if (config.stamps_ends) argv.insert(argv.end(), {"--stamps", "ends"});
    if (config.opts.lockfree && !o.wait.empty()) {
      argv.push_back("--wait");
      argv.push_back(o.wait);
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string eta = i == 0 ? "?" : format_duration(elapsed / static_cast<double>(i) * static_cast<double>(plan.size() - i));
    fmt::print(stderr, "[{:>3}/{}] {:<16} rep {}/{} · {} elapsed · ~{} left\n", i + 1, plan.size(), config.label, rep + 1,
               load.repetitions, format_duration(elapsed), eta);
    ProcessOptions options;
    options.output_file = log_path.string();
    if (hygiene.fixed_env) options.environment = fixed_environment(argv, {{"PYTHONHASHSEED", hash_seed_text(hygiene.hash_seed)}});
    std::string error;
    const int rc = run_process(argv, options, &error);
    if (rc == kExitUsage) {
      throw UsageError(fmt::format("{} repetition {}: {}", config.label, rep + 1, tail_of_file(log_path.string(), 15)));
    }
    if (rc != 0) {
      throw std::runtime_error(fmt::format("{} repetition {} failed (exit {}){}:\n{}", config.label, rep + 1, rc,
                                           error.empty() ? "" : ": " + error, tail_of_file(log_path.string(), 15)));
    }
    json doc = json::parse(std::ifstream(json_path));
    json run = doc.at("runs").at(0);
    run["config"] = config.label;
    run["repetition"] = rep;
    runs_by_position[i] = std::move(run);
    if (base.is_null()) {
      base = std::move(doc);
    } else {
      // routes[].demotions covers the whole invocation: add this process's demotions.
      json& routes = base.at("routes");
      const json& more = doc.at("routes");
      for (std::size_t r = 0; r < routes.size() && r < more.size(); ++r) {
        routes[r]["demotions"] = routes[r].value("demotions", 0) + more[r].value("demotions", 0);
      }
    }
  }

  // Runs in configuration order, repetitions ascending; unsupported configurations as rows.
  json runs = json::array();
  double steal_sum = 0;
  std::size_t measured = 0;
  for (std::size_t c = 0; c < configs.size(); ++c) {
    if (!unsupported[c].empty()) {
      runs.push_back({{"config", configs[c].label},
                      {"phase", phase_of(configs[c].opts).empty() ? json(nullptr) : json(phase_of(configs[c].opts))},
                      {"opts", configs[c].opts.names()},
                      {"repetition", 0},
                      {"supported", false},
                      {"unsupported_reason", unsupported[c]},
                      {"stages", json::object()}});
      continue;
    }
    for (std::size_t i = 0; i < plan.size(); ++i) {
      if (plan[i].config != c) continue;
      steal_sum += runs_by_position[i].at("steal_pct").get<double>();
      ++measured;
      runs.push_back(runs_by_position[i]);
    }
  }
  json results = base;
  results["tool"]["command"] = "phases";
  // routes[].interpreter comes from the first run ("main" under the shared GIL); when some
  // configuration used own-GIL sub-interpreters, it says where each route ran there ("own (...)"
  // or "main (fallback: ...)"). Every run carries its own list in runs[].route_interpreters.
  for (const json& run : runs) {
    if (run.value("interpreter_layout", "") != "own-gil" || !run.contains("route_interpreters")) continue;
    json& routes = results["routes"];
    for (std::size_t r = 0; r < routes.size() && r < run["route_interpreters"].size(); ++r) {
      routes[r]["interpreter"] = run["route_interpreters"][r];
    }
    break;
  }
  results["config"]["repetitions"] = load.repetitions;
  results["config"]["seed"] = load.seed;
  results["config"]["isolation"] = "process";
  results["config"]["wait"] = o.wait.empty() ? "adaptive" : o.wait;
  results["context"]["steal_pct"] = measured == 0 ? 0.0 : steal_sum / static_cast<double>(measured);
  results["runs"] = runs;
  results["aggregates"] = aggregates_from_runs(runs);
  if (o.ablation || o.factorial) results["ablation"] = ablation_from_runs(runs);
  if (!o.no_instrumentation_tax) results["instrumentation_tax"] = instrumentation_tax_from_runs(runs);

  const fs::path results_path = out_dir / "results.json";
  write_file_atomically(results_path.string(), results.dump(2) + "\n");
  out_guard.keep = true;
  print_phase_summary(results, stdout);
  print_isolation(results, stdout);
  print_noise(results, stdout);
  print_instrumentation_tax(results, stdout);
  print_call_floor(results, stdout);
  fmt::print("results: {}\n", results_path.string());
  if (o.no_report) return kExitOk;
  const int rc = launch_report(report_python, results_path.string(), out_dir.string());
  if (rc != 0) throw std::runtime_error(fmt::format("the report generator failed (exit {})", rc));
  fmt::print("report: {}\n", (out_dir / "report.html").string());
  return kExitOk;
}

}  // namespace fb::harness
