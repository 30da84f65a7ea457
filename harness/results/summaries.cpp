#include "harness/results/summaries.h"

#include <nlohmann/json.hpp>

#include "harness/results/results_json.h"
#include "harness/results/results_model.h"
#include "harness/stats/stage_summary.h"
#include "probes/alloc_counter.h"

namespace fb::harness {
namespace {

using nlohmann::json;

// C++ operator new calls per measured request charged to `stage` (`total`: all stages), or none
// when this program does not count allocations. Per request of the run, not per request that
// went through the stage, so the stages add up to the total.
std::optional<double> allocations_per_request(const LoadResult& r, fb_stage stage) {
  if (!r.allocations || r.requests == 0) return std::nullopt;
  const std::uint64_t n = stage == FB_STAGE_TOTAL ? r.allocations->request_allocations() : r.allocations->allocations[stage];
  return static_cast<double>(n) / static_cast<double>(r.requests);
}

std::optional<double> optional_number(const json& v) { return v.is_number() ? std::optional(v.get<double>()) : std::nullopt; }

ThreadRole role_from_name(const std::string& name) {
  for (ThreadRole r : {ThreadRole::main, ThreadRole::client, ThreadRole::worker, ThreadRole::loop, ThreadRole::other}) {
    if (thread_role_name(r) == name) return r;
  }
  return ThreadRole::other;
}

StageFigures figures(const probes::Histogram& h, double signed_mean, std::optional<double> allocations = std::nullopt) {
  const StageSummary x = summarize_stage(h, signed_mean);
  return {x.count,
          x.mean_ns,
          static_cast<double>(x.p50_ns),
          static_cast<double>(x.p90_ns),
          static_cast<double>(x.p99_ns),
          static_cast<double>(x.p999_ns),
          static_cast<double>(x.max_ns),
          allocations};
}

StageFigures figures_from_json(const json& st) {
  return {st.at("count").get<std::uint64_t>(), st.at("mean_ns").get<double>(),    st.at("p50_ns").get<double>(),
          st.at("p90_ns").get<double>(),       st.at("p99_ns").get<double>(),     st.at("p999_ns").get<double>(),
          st.at("max_ns").get<double>(),       optional_number(st.value("allocations_per_request", json()))};
}

LoadFigures load_from_json(const json& j) {
  LoadFigures f;
  f.mode = j.at("mode").get<std::string>();
  f.offered_rps = optional_number(j.at("offered_rps"));
  f.achieved_rps = j.at("achieved_rps").get<double>();
  f.achieved_ratio = j.value("achieved_ratio", 1.0);
  f.saturated = j.value("saturated", false);
  f.scheduled = j.value("scheduled", std::uint64_t{0});
  f.window_s = j.value("window_s", 0.0);
  f.late_sends = j.value("late_sends", std::uint64_t{0});
  f.late_threshold_ns = j.value("late_threshold_ns", std::int64_t{0});
  f.max_lag_ns = j.value("max_lag_ns", std::int64_t{0});
  if (j.contains("little") && j.at("little").is_object()) {
    const json& l = j.at("little");
    LittleCheck c;
    c.samples = l.at("samples").get<std::uint64_t>();
    c.measured_in_system = l.at("measured_in_system").get<double>();
    c.standard_error = l.value("standard_error", 0.0);
    c.predicted_in_system = l.at("predicted_in_system").get<double>();
    c.predicted_uncorrected_in_system = l.value("predicted_uncorrected_in_system", 0.0);
    c.relative_difference = l.at("relative_difference").get<double>();
    c.checked = l.value("checked", true);
    c.holds = l.at("holds").get<bool>();
    f.little = c;
  }
  return f;
}

}  // namespace

RunSummary summarize_run(const RunRecord& run) {
  RunSummary s;
  s.config = run.config;
  if (!run.phase.empty()) s.phase = run.phase;
  s.opts = run.opts;
  s.repetition = run.repetition;
  s.stamps = run.stamps;
  s.supported = run.supported;
  s.unsupported_reason = run.unsupported_reason;
  s.crashed = run.crashed;
  if (!s.measured()) return s;
  const LoadResult& r = run.load;
  s.requests = r.requests;
  s.errors = r.server_errors;
  s.throughput_rps = r.throughput_rps;
  s.steal_pct = r.steal_pct;
  s.demotions = static_cast<double>(run.demotions);
  s.allocations_per_request = allocations_per_request(r, FB_STAGE_TOTAL);
  for (std::size_t i = 0; i < probes::kStageCount; ++i) {
    const auto stage = static_cast<fb_stage>(i);
    s.stages[i] = figures(r.stages->stage(stage), r.stages->signed_mean(stage), allocations_per_request(r, stage));
  }
  for (const probes::Histogram& block : r.block_totals) {
    if (block.count() > 0) s.block_p50s.push_back(static_cast<double>(block.value_at_percentile(50)));
  }
  s.call_floor_ns = run.call_floor_ns;
  s.threads = run.threads;
  s.load = load_figures(r, r.stages->signed_mean(FB_STAGE_TOTAL));
  if (run.generator_limit) s.generator_limit_rps = run.generator_limit->rps;
  if (r.schedule) {
    const auto n = r.schedule->uncorrected_total.count();
    s.uncorrected_total = figures(r.schedule->uncorrected_total,
                                  n == 0 ? 0.0 : static_cast<double>(r.schedule->uncorrected_sum_ns) / static_cast<double>(n));
  }
  for (const RouteRun& route : run.routes) {
    RouteSummary rs{route.route, route.method, route.path, route.requests, route.client_errors, route.errors.count,
                    route.errors.messages, {}};
    for (std::size_t i = 0; i < probes::kStageCount && route.stages; ++i) {
      const auto stage = static_cast<fb_stage>(i);
      rs.stages[i] = figures(route.stages->stage(stage), route.stages->signed_mean(stage));
    }
    s.routes.push_back(std::move(rs));
  }
  return s;
}

DocumentSummary summarize_document(const ResultsDocument& doc) {
  DocumentSummary d;
  d.scenario_name = doc.scenario_name;
  d.scenario_file = doc.scenario_file;
  d.python_version = doc.context.python.version;
  d.clock_source = doc.context.clock_source;
  d.cpu_model = doc.context.machine.cpu_model;
  d.stamp_cost_ns = doc.context.stamp_cost_ns;
  d.cpus = doc.context.machine.cpus;
  d.steal_pct = doc.context.steal_pct;
  d.clients = doc.config.clients;
  d.workers = doc.config.workers;
  d.warmup = doc.config.warmup;
  d.repetitions = doc.config.repetitions;
  d.seed = doc.config.seed;
  d.placement = doc.context.placement;
  d.process = doc.context.process;
  return d;
}

RunSummary run_summary_from_json(const json& run) {
  RunSummary s;
  s.config = run.at("config").get<std::string>();
  if (run.at("phase").is_string()) s.phase = run.at("phase").get<std::string>();
  s.opts = run.at("opts").get<std::vector<std::string>>();
  s.repetition = run.at("repetition").get<int>();
  s.stamps = run.value("stamps", "all");
  s.supported = run.at("supported").get<bool>();
  s.unsupported_reason = run.value("unsupported_reason", "");
  s.crashed = run.value("crashed", "");
  if (!s.measured()) return s;
  s.requests = run.at("requests").get<std::uint64_t>();
  s.errors = run.at("errors").get<std::uint64_t>();
  s.throughput_rps = run.at("throughput_rps").get<double>();
  s.steal_pct = optional_number(run.at("steal_pct"));
  s.demotions = run.value("demotions", 0.0);
  s.allocations_per_request = optional_number(run.value("allocations_per_request", json()));
  for (std::size_t i = 0; i < probes::kStageCount; ++i) {
    // A stage newer than the document (`queue` in a file written before it) reads as count 0.
    const std::string name(probes::kStageNames[i]);
    if (run.at("stages").contains(name)) s.stages[i] = figures_from_json(run.at("stages").at(name));
  }
  s.call_floor_ns = run.value("call_floor_ns", 0.0);
  for (const json& b : run.value("blocks", json::array())) {
    if (b.at("requests").get<double>() > 0) s.block_p50s.push_back(b.at("total_p50_ns").get<double>());
  }
  if (run.contains("load")) {
    s.load = load_from_json(run.at("load"));
    const json& limit = run.at("load").value("generator_limit", json());
    if (limit.is_object()) s.generator_limit_rps = limit.at("rps").get<double>();
  } else {
    s.load.achieved_rps = s.throughput_rps;
  }
  if (run.contains("uncorrected_total") && run.at("uncorrected_total").is_object()) {
    s.uncorrected_total = figures_from_json(run.at("uncorrected_total"));
  }
  for (const json& r : run.value("routes", json::array())) {
    RouteSummary rs;
    rs.route = r.at("route").get<std::size_t>();
    rs.method = r.at("method").get<std::string>();
    rs.path = r.at("path").get<std::string>();
    rs.requests = r.at("requests").get<std::uint64_t>();
    rs.client_errors = r.value("client_errors", std::uint64_t{0});
    rs.errors = r.at("errors").at("count").get<std::uint64_t>();
    for (const json& m : r.at("errors").value("messages", json::array())) {
      rs.error_messages.push_back({m.at("type").get<std::string>(), m.at("message").get<std::string>(),
                                   m.at("handler").get<std::string>(), m.at("count").get<std::uint64_t>()});
    }
    for (std::size_t i = 0; i < probes::kStageCount; ++i) {
      const std::string name(probes::kStageNames[i]);
      if (r.at("stages").contains(name)) rs.stages[i] = figures_from_json(r.at("stages").at(name));
    }
    s.routes.push_back(std::move(rs));
  }
  for (const json& t : run.value("threads", json::array())) {
    ThreadRecord r;
    r.role = role_from_name(t.at("role").get<std::string>());
    r.cpus_seen = t.at("cpus_seen").get<std::vector<int>>();
    s.threads.push_back(std::move(r));
  }
  return s;
}

DocumentSummary document_summary_from_json(const json& doc) {
  DocumentSummary d;
  const json& ctx = doc.at("context");
  const json& cfg = doc.at("config");
  d.scenario_name = doc.at("scenario").at("name").get<std::string>();
  d.scenario_file = doc.at("scenario").at("file").get<std::string>();
  d.python_version = ctx.at("python").at("version").get<std::string>();
  d.clock_source = ctx.at("clock").at("source").get<std::string>();
  d.cpu_model = ctx.at("cpu_model").get<std::string>();
  d.stamp_cost_ns = ctx.at("clock").at("stamp_cost_ns").get<double>();
  d.cpus = ctx.at("cpus").get<unsigned>();
  d.steal_pct = optional_number(ctx.at("steal_pct"));
  d.clients = cfg.at("clients").get<std::int64_t>();
  d.workers = cfg.at("workers").get<std::int64_t>();
  d.warmup = cfg.at("warmup").get<std::int64_t>();
  d.repetitions = cfg.at("repetitions").get<std::int64_t>();
  d.seed = cfg.at("seed").get<std::uint64_t>();
  if (ctx.contains("placement")) d.placement = placement_from_json(ctx.at("placement"));
  if (ctx.contains("process")) d.process = process_record_from_json(ctx.at("process"));
  d.separate_processes = cfg.value("isolation", "") == "process";
  return d;
}

}  // namespace fb::harness
