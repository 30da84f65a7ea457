#include "harness/cmd_run_target.h"

#include <fmt/format.h>

#include <filesystem>

#include "harness/console_table.h"
#include "harness/exit_codes.h"
#include "harness/load/http_load.h"
#include "harness/measure.h"
#include "harness/progress.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/scenario.h"
#include "harness/stamp_cost.h"
#include "probes/clock.h"

namespace fb::harness {
namespace {

// Everything in RunOptions that configures the pipeline or the in-process probes: meaningless
// against a server that is already running with its own configuration.
void reject_pipeline_options(const RunOptions& o) {
  const auto refuse = [](const std::string& flag) {
    throw UsageError("--target with " + flag +
                     ": the server's configuration is the server's (start it with `fasterbench serve " + flag +
                     " ...`); drop " + flag + " here");
  };
  if (!o.phase.empty()) refuse("--phase");
  if (!o.opts.empty()) refuse("--opt");
  if (!o.wait.empty()) refuse("--wait");
  if (o.explain_routes) refuse("--explain-routes");
  if (o.probes != "inproc") refuse("--probes");
  if (o.require_ebpf) refuse("--require-ebpf");
  if (o.probe_ab) refuse("--probe-ab");
  if (!o.load.inject_delay.empty()) refuse("--inject-delay");
  if (o.load.workers) refuse("--workers");
  if (o.load.future_spin_ns) refuse("--future-spin-ns");
}

void check_output_path(const std::string& out) {
  if (out.empty()) return;
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw UsageError("--out " + out + ": directory " + dir.string() + " does not exist");
}

}  // namespace

int cmd_run_target(const RunOptions& o) {
  reject_pipeline_options(o);
  const HttpTarget target = parse_http_target(o.target);
  Scenario scenario;
  try {
    scenario = load_scenario(o.load.scenario);
  } catch (const ScenarioError& e) {
    throw UsageError(e.what());
  }
  const ResolvedLoad load = resolve_load(o.load, scenario);
  check_output_path(o.out);
  probes::calibrate_clock();

  ResultsDocument doc = make_document("run", scenario, load, DemotionPolicy{}, measure_stamp_cost_ns());
  doc.config.workers = 0;  // the server's
  RequestMix mix(scenario);
  std::vector<std::uint64_t> transport_errors, reconnects;
  for (std::int64_t rep = 0; rep < load.repetitions; ++rep) {
    ClosedLoopSettings settings{load.requests, load.warmup, load.clients, load.seed};
    LoadProgress progress;
    RunRecord run;
    run.config = "target";
    run.repetition = static_cast<int>(rep);
    HttpLoadResult measured;
    try {
      ProgressBar bar(fmt::format("{} rep {}/{}", target.url, rep + 1, load.repetitions), load.requests, progress.done,
                      !o.load.no_progress);
      measured = run_http_closed_loop(target, mix, settings, &progress);
    } catch (const HttpClientError& e) {
      throw std::runtime_error(fmt::format("--target {}: {}", target.url, e.what()));
    }
    run.load = std::move(measured.load);
    transport_errors.push_back(measured.transport_errors);
    reconnects.push_back(measured.reconnects);
    doc.runs.push_back(std::move(run));
  }
  for (const ScenarioRoute& r : scenario.routes) doc.routes.push_back({r.method, r.path, r.handler, "", "served by the target", 0});
  double steal_sum = 0;
  for (const RunRecord& r : doc.runs) steal_sum += r.load.steal_pct;
  doc.context.steal_pct = steal_sum / static_cast<double>(doc.runs.size());

  nlohmann::json json = results_to_json(doc);
  // What is different about a run against a server: where the requests went, and that `total`
  // is the latency the client saw (request written -> response read), not the pipeline's.
  json["context"]["target"] = target.url;
  json["config"]["target"] = target.url;
  json["config"]["total_is"] = "client-side latency: request sent -> last byte of the response read";
  for (std::size_t i = 0; i < json["runs"].size(); ++i) {
    json["runs"][i]["target"] = target.url;
    json["runs"][i]["transport_errors"] = transport_errors[i];
    json["runs"][i]["reconnects"] = reconnects[i];
  }
  fmt::print("target {}: the stage table's `total` is the latency each client saw (send -> response read); the "
             "server's own stages are in `fasterbench serve --out`\n",
             target.url);
  print_stage_tables(json, stdout);
  std::uint64_t transport_sum = 0;
  for (auto t : transport_errors) transport_sum += t;
  if (transport_sum > 0) fmt::print("transport errors (resets, broken responses): {}\n", transport_sum);
  if (!o.out.empty()) {
    write_file_atomically(o.out, json.dump(2) + "\n");
    fmt::print("results: {}\n", o.out);
  }
  return kExitOk;
}

}  // namespace fb::harness
