#include "harness/python/guest_bench.h"

#include <filesystem>
#include <mutex>

#include "harness/cli/exit_codes.h"
#include "harness/host/interrupt.h"
#include "harness/host/sysinfo.h"
#include "harness/measure/load_plan.h"
#include "harness/measure/measure.h"
#include "harness/measure/stamp_cost.h"
#include "harness/python/calling_thread.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/error_rates.h"
#include "probes/clock.h"

namespace fb::python {
namespace {

using harness::RunOptions;
using harness::RunSettings;
using harness::Scenario;
using harness::UsageError;

// The harness reports bad input as UsageError (the CLI's exit 2); across the boundary it is the
// Python API's ConfigError, with the same message.
template <typename F>
auto as_config_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const UsageError& e) {
    throw ConfigError(e.what());
  } catch (const harness::ScenarioError& e) {
    throw ConfigError(e.what());
  }
}

std::string describe(const GuestRoute& r) { return r.method + " " + r.path + " (" + r.description + ")"; }

// Measurements share the process (its CPUs, its signal dispositions, InterruptScope's state).
std::mutex g_bench_mutex;

void check_output_path(const std::string& out) {
  if (out.empty()) return;
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw ConfigError("out=" + out + ": directory " + dir.string() + " does not exist");
}

}  // namespace

Scenario guest_scenario(const GuestApp& app) {
  if (app.routes.empty()) throw ConfigError("the app has no routes: register a handler with @app.get(...) first");
  Scenario s;
  s.name = app.name;
  // Empty: messages about a route name it (method, path, handler), not a file line of a scenario.
  s.file = "";
  s.python_path = app.python_path;
  double total_weight = 0;
  for (const GuestRoute& r : app.routes) {
    harness::ScenarioRoute route;
    route.method = r.method;
    route.path = r.path;
    route.handler = r.handler;
    route.kind = r.kind;
    route.weight = r.weight;
    route.request = r.request.empty() ? r.path : r.request;
    route.body = r.body;
    route.headers = r.headers;
    route.line = r.line;
    if (r.path.empty() || r.path.front() != '/') throw ConfigError("route " + describe(r) + ": the path must start with '/'");
    if (route.request.front() != '/') throw ConfigError("route " + describe(r) + ": request= must start with '/'");
    if (r.request.empty() && r.path.find('{') != std::string::npos) {
      throw ConfigError("route " + describe(r) + " has path parameters: give a concrete request= path to send, e.g. \"/items/42\"");
    }
    if (!(r.weight >= 0)) throw ConfigError("route " + describe(r) + ": weight must be >= 0");
    if (!r.kind.empty() && r.kind != "fast" && r.kind != "blocking" && r.kind != "async") {
      throw ConfigError("route " + describe(r) + ": kind must be \"fast\", \"blocking\" or \"async\", not \"" + r.kind + "\"");
    }
    total_weight += r.weight;
    s.routes.push_back(std::move(route));
  }
  if (!(total_weight > 0)) throw ConfigError("the route weights sum to 0: no request could be sent");
  return s;
}

RunSettings guest_run_settings(const GuestApp& app, const RunOptions& options) {
  const Scenario scenario = guest_scenario(app);
  return as_config_error([&] { return harness::resolve_run_settings(options, scenario); });
}

AppConfig guest_app_config(const GuestApp& app, const RunOptions& options) {
  const Scenario scenario = guest_scenario(app);
  const RunSettings settings = as_config_error([&] { return harness::resolve_run_settings(options, scenario); });
  as_config_error([&] { harness::require_available(settings.opts); });
  return harness::app_config(scenario, settings);
}

GuestBenchOutcome run_guest_bench(const GuestApp& app, const RunOptions& options) {
  std::unique_lock lock(g_bench_mutex, std::try_to_lock);
  if (!lock.owns_lock()) throw ConfigError("another bench is running in this process: measure one app at a time");
  const Scenario scenario = guest_scenario(app);
  RunSettings settings = as_config_error([&] { return harness::resolve_run_settings(options, scenario); });
  as_config_error([&] { harness::require_available(settings.opts); });
  check_output_path(options.out);
  const std::optional<double> max_error_rate = as_config_error([&] { return harness::parse_max_error_rate(options.max_error_rate); });
  const harness::HygieneRequest hygiene = as_config_error([&] { return harness::resolve_hygiene(options); });
  probes::calibrate_clock();
  const harness::LoadPlan plan = as_config_error([&] { return harness::LoadPlan(scenario, settings); });

  // From here the host's SIGINT / SIGTERM stop the clients instead of reaching Python.
  const harness::InterruptScope interrupt;
  settings.caller_is_first_client = true;
  settings.stop = &interrupt.flag();
  const double stamp_cost = harness::measure_stamp_cost_ns();
  harness::ResultsDocument doc = harness::make_document("bench", scenario, settings, stamp_cost);
  doc.scenario_file = app.file;
  doc.config.probes = "inproc";
  doc.config.max_error_rate = max_error_rate;
  doc.context.placement = settings.placement;
  doc.context.process = harness::process_record(hygiene);
  doc.config.load = plan.mode();
  doc.config.load_plan = plan.describe();
  harness::ConfigurationResult measured;
  {
    const CallingThreadScope calling_thread;  // placement renames and pins it: put back afterwards
    measured = as_config_error(
        [&] { return harness::measure_configuration(scenario, settings, plan, stamp_cost, /*show_progress=*/false); });
  }
  if (const int signal = interrupt.signal(); signal != 0) return {"", signal};

  doc.runs = std::move(measured.runs);
  doc.routes = std::move(measured.routes);
  // The results name a handler as its module and qualified name, not as the spec it was loaded by.
  for (std::size_t i = 0; i < doc.routes.size() && i < app.routes.size(); ++i) doc.routes[i].handler = app.routes[i].description;
  for (harness::RunRecord& run : doc.runs) {
    for (harness::RouteRun& route : run.routes) {
      for (auto& message : route.errors.messages) message.handler = app.routes.at(route.route).description;
    }
  }
  std::vector<std::optional<double>> steals;
  std::vector<harness::RunSummary> summaries;
  for (const harness::RunRecord& r : doc.runs) {
    steals.push_back(r.load.steal_pct);
    summaries.push_back(harness::summarize_run(r));
  }
  doc.context.steal_pct = harness::mean_of_known(steals);
  doc.aggregates = harness::aggregate_configurations(summaries);
  harness::mark_error_rate_limit(doc.aggregates, max_error_rate);
  GuestBenchOutcome outcome;
  outcome.document = harness::results_to_json(doc).dump(2) + "\n";
  if (!options.out.empty()) harness::write_file_atomically(options.out, outcome.document);
  return outcome;
}

}  // namespace fb::python
