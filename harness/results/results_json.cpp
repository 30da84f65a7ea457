#include "harness/results/results_json.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "framework/inject_delay.h"
#include "harness/results/probes_json.h"
#include "harness/stats/aggregate.h"
#include "harness/stats/bimodality.h"
#include "harness/stats/noise_budget.h"
#include "harness/units.h"
#include "harness/stats/stage_summary.h"
#include "probes/alloc_counter.h"
#include "probes/stage_names.h"

namespace fb::harness {

using nlohmann::json;

json stage_to_json(const probes::Histogram& h, double signed_mean) {
  const StageSummary s = summarize_stage(h, signed_mean);
  json curve = json::array();
  for (const auto& [q, v] : s.curve) curve.push_back({q, v});
  json buckets = json::array();
  for (const auto& [upper, count] : h.nonzero_buckets()) buckets.push_back({upper, count});
  return {{"count", s.count},   {"mean_ns", s.mean_ns}, {"p50_ns", s.p50_ns},   {"p90_ns", s.p90_ns},
          {"p99_ns", s.p99_ns}, {"p999_ns", s.p999_ns}, {"max_ns", s.max_ns}, {"percentiles", curve},
          {"histogram", {{"unit", "ns"}, {"sub_bucket_bits", probes::Histogram::kSubBucketBits}, {"buckets", buckets}}}};
}

namespace {

// C++ operator new calls per measured request charged to `stage` (`total`: all stages), or null
// when this program does not count allocations. Per request of the run, not per request that
// went through the stage, so the stages add up to the total.
json allocations_json(const LoadResult& r, fb_stage stage) {
  if (!r.allocations || r.requests == 0) return nullptr;
  const std::uint64_t n = stage == FB_STAGE_TOTAL ? r.allocations->request_allocations() : r.allocations->allocations[stage];
  return static_cast<double>(n) / static_cast<double>(r.requests);
}

json threads_json(const std::vector<ThreadRecord>& threads) {
  json out = json::array();
  for (const ThreadRecord& t : threads) {
    out.push_back({{"role", std::string(thread_role_name(t.role))},
                   {"index", t.index ? json(*t.index) : json(nullptr)},
                   {"name", t.name},
                   {"tid", t.tid},
                   {"cpus_seen", t.cpus_seen},
                   {"affinity", t.affinity},
                   {"migrations", t.migrations ? json(*t.migrations) : json(nullptr)},
                   {"voluntary_switches", t.voluntary_switches},
                   {"involuntary_switches", t.involuntary_switches},
                   {"run_ms", t.run_ms},
                   {"runqueue_ms", t.runqueue_ms}});
  }
  return out;
}

// The measured requests in consecutive blocks (ClosedLoopSettings::blocks): how many, and the
// p50 of their total.
json blocks_json(const LoadResult& r) {
  json out = json::array();
  for (const probes::Histogram& h : r.block_totals) {
    out.push_back({{"requests", h.count()}, {"total_p50_ns", h.value_at_percentile(50)}});
  }
  return out;
}

json placement_json(const Placement& p) {
  return {{"policy", std::string(pin_policy_name(p.policy))},
          {"cpus", p.cpus},
          {"roles", {{"client", p.client}, {"worker", p.worker}, {"loop", p.worker}}}};
}

json process_json(const ProcessRecord& p) {
  return {{"hash_seed", p.hash_seed == "random" ? json("random") : json(std::stoul(p.hash_seed))},
          {"hash_seed_source", p.hash_seed_source},
          {"aslr", p.aslr ? "on" : "off"},
          {"environment", p.environment},
          {"arg_env_bytes", p.arg_env_bytes},
          {"reexecuted", p.reexecuted}};
}

json run_json(const RunRecord& run) {
  json j = {{"config", run.config},
            {"phase", run.phase.empty() ? json(nullptr) : json(run.phase)},
            {"opts", run.opts},
            {"wait", run.wait.empty() ? json(nullptr) : json(run.wait)},
            {"repetition", run.repetition},
            {"stamps", run.stamps},
            {"supported", run.supported},
            {"unsupported_reason", run.unsupported_reason}};
  if (!run.supported) {
    j["stages"] = json::object();
    return j;
  }
  const LoadResult& r = run.load;
  j["requests"] = r.requests;
  j["errors"] = r.server_errors;
  j["client_errors"] = r.client_errors;
  j["duration_s"] = r.duration_s;
  j["throughput_rps"] = r.throughput_rps;
  j["allocations_per_request"] = allocations_json(r, FB_STAGE_TOTAL);
  j["allocated_bytes_per_request"] =
      r.allocations && r.requests > 0
          ? json(static_cast<double>(r.allocations->request_bytes()) / static_cast<double>(r.requests))
          : json(nullptr);
  j["demotions"] = run.demotions;
  j["steal_pct"] = r.steal_pct;
  j["per_route_requests"] = r.per_route;
  json stages = json::object();
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    json summary = stage_to_json(r.stages->stage(stage), r.stages->signed_mean(stage));
    summary["allocations_per_request"] = allocations_json(r, stage);
    stages[std::string(probes::stage_name(stage))] = std::move(summary);
  }
  j["stages"] = stages;
  j["probes"] = probes_to_json(run);
  j["call_floor_ns"] = run.call_floor_ns;
  j["interpreter_layout"] = run.interpreter_layout;
  json interpreters = json::array();
  for (const python::InterpreterRecord& i : run.interpreters) {
    interpreters.push_back({{"thread", i.thread}, {"interpreter_id", i.interpreter_id}, {"startup_ms", i.startup_ms},
                            {"memory_kb", i.memory_kb}});
  }
  j["interpreters"] = interpreters;
  j["route_interpreters"] = run.route_interpreters;
  j["threads"] = threads_json(run.threads);
  j["blocks"] = blocks_json(r);
  return j;
}

// config.inject_delay: null, or {"stage": "dispatch", "ns": 2000, "spec": "dispatch=2000"}.
json inject_delay_json(const std::string& spec) {
  if (spec.empty()) return nullptr;
  const InjectedDelay d = parse_injected_delay(spec);
  return {{"stage", std::string(probes::stage_name(d.stage))}, {"ns", d.ns}, {"spec", spec}};
}

json aggregate_json(const Aggregate& a) {
  return {{"n", a.n}, {"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high},
          {"min", a.min}, {"max", a.max}, {"spread_pct", a.spread_pct}};
}

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// aggregates[].noise: the noise budget over the configuration's repetitions and their blocks
// (between repetitions = between processes under `phases`, which runs each in its own).
json noise_json(const std::vector<const json*>& reps) {
  std::vector<std::vector<double>> blocks;
  for (const json* r : reps) {
    std::vector<double> p50s;
    for (const json& b : r->value("blocks", json::array())) {
      if (b.at("requests").get<double>() > 0) p50s.push_back(b.at("total_p50_ns").get<double>());
    }
    blocks.push_back(std::move(p50s));
  }
  const NoiseBudget n = noise_budget(blocks);
  return {{"repetitions", n.processes}, {"blocks_per_repetition", n.blocks}, {"within_pct", optional_json(n.within_pct)},
          {"between_pct", optional_json(n.between_pct)}, {"between_share", optional_json(n.between_share)}};
}

// A run's threads as typed records, as far as placement needs them.
std::vector<ThreadRecord> thread_records(const json& run) {
  std::vector<ThreadRecord> out;
  for (const json& t : run.value("threads", json::array())) {
    ThreadRecord r;
    const std::string role = t.at("role").get<std::string>();
    for (ThreadRole candidate : {ThreadRole::main, ThreadRole::client, ThreadRole::worker, ThreadRole::loop}) {
      if (thread_role_name(candidate) == role) r.role = candidate;
    }
    r.cpus_seen = t.at("cpus_seen").get<std::vector<int>>();
    out.push_back(std::move(r));
  }
  return out;
}

// aggregates[].bimodal: null, or the two clusters of total p50 with where each had its threads.
json bimodal_json(const std::string& config, const std::vector<const json*>& reps) {
  std::vector<double> p50s;
  for (const json* r : reps) p50s.push_back(r->at("stages").at("total").at("p50_ns").get<double>());
  const std::optional<Bimodality> b = find_two_clusters(p50s);
  if (!b) return nullptr;
  auto cluster_json = [&](const Cluster& c, std::string& placements_text) {
    json repetitions = json::array();
    std::map<std::string, int> placements;
    for (std::size_t i : c.members) {
      repetitions.push_back(reps[i]->at("repetition"));
      ++placements[handoff_placement(thread_records(*reps[i]))];
    }
    for (const auto& [where, n] : placements) {
      placements_text += fmt::format("{}{} in {} of {}", placements_text.empty() ? "" : ", ", where, n, c.members.size());
    }
    return json{{"repetitions", repetitions}, {"median_ns", c.median}, {"placements", placements}};
  };
  std::string fast_where, slow_where;
  json low = cluster_json(b->low, fast_where);
  json high = cluster_json(b->high, slow_where);
  const std::string message = fmt::format(
      "{}: {} repetitions at {}, {} at {} (+{:.0f} %): two populations, the median describes neither; hand-offs: fast "
      "ones {}; slow ones {}",
      config, b->low.members.size(), format_ns(b->low.median), b->high.members.size(), format_ns(b->high.median),
      b->separation * 100, fast_where, slow_where);
  return {{"low", low},
          {"high", high},
          {"ashman_d", std::isfinite(b->ashman_d) ? json(b->ashman_d) : json(nullptr)},
          {"separation_pct", b->separation * 100},
          {"message", message}};
}

}  // namespace

json aggregates_from_runs(const json& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> by_config;
  for (const json& run : runs) {
    const std::string config = run.at("config").get<std::string>();
    if (!by_config.contains(config)) order.push_back(config);
    by_config[config].push_back(&run);
  }
  json out = json::array();
  for (const std::string& config : order) {
    const auto& reps = by_config[config];
    const json& first = *reps.front();
    json a = {{"config", config}, {"phase", first.at("phase")}, {"opts", first.at("opts")},
              {"supported", first.at("supported")}, {"unsupported_reason", first.value("unsupported_reason", "")},
              {"repetitions", reps.size()}};
    if (!first.at("supported").get<bool>()) {
      a["stages"] = json::object();
      out.push_back(a);
      continue;
    }
    auto collect = [&](auto&& get) {
      std::vector<double> v;
      for (const json* r : reps) v.push_back(get(*r));
      return aggregate_json(aggregate(v));
    };
    a["throughput_rps"] = collect([](const json& r) { return r.at("throughput_rps").get<double>(); });
    a["errors"] = collect([](const json& r) { return r.at("errors").get<double>(); });
    json stages = json::object();
    for (std::string_view name : probes::kStageNames) {
      const std::string stage(name);
      json s = json::object();
      for (const char* metric : {"p50_ns", "p99_ns", "mean_ns"}) {
        s[metric] = collect([&](const json& r) { return r.at("stages").at(stage).at(metric).get<double>(); });
      }
      s["count"] = collect([&](const json& r) { return r.at("stages").at(stage).at("count").get<double>(); });
      stages[stage] = s;
    }
    a["stages"] = stages;
    a["noise"] = noise_json(reps);
    a["bimodal"] = bimodal_json(config, reps);
    out.push_back(a);
  }
  return out;
}

json results_to_json(const ResultsDocument& doc) {
  const ResultsContext& c = doc.context;
  json context = {
      {"host", c.machine.host},
      {"cpu_model", c.machine.cpu_model},
      {"cpus", c.machine.cpus},
      {"kernel", c.machine.kernel},
      {"python",
       {{"version", c.python.version},
        {"executable", c.python.executable},
        {"subinterpreters_supported", c.python.subinterpreters_supported}}},
      {"compiler", c.build.compiler},
      {"build_type", c.build.build_type},
      {"options",
       {{"FASTERBENCH_OPT_DIRECT", c.build.opt_direct},
        {"FASTERBENCH_OPT_LOCKFREE", c.build.opt_lockfree},
        {"FASTERBENCH_OPT_SUBINTERP", c.build.opt_subinterp},
        {"FASTERBENCH_OPT_INLINE_FUTURE", c.build.opt_inline_future},
        {"FASTERBENCH_OPT_FAST_MARSHAL", c.build.opt_fast_marshal}}},
      {"git_revision", c.build.git_revision},
      {"date", c.date},
      {"steal_pct", c.steal_pct},
      // What allocations_per_request counts: Python's own allocator (PyMem / pymalloc) and plain
      // malloc never go through C++ operator new and are not in the figures.
      {"allocator", probes::alloc_counting_linked() ? "C++ operator new only" : "not counted"},
      {"clock", {{"source", c.clock_source}, {"ns_per_tick", c.ns_per_tick}, {"stamp_cost_ns", c.stamp_cost_ns}}},
      {"ebpf", ebpf_context_to_json(c.ebpf)},
  };
  if (c.placement) context["placement"] = placement_json(*c.placement);
  if (c.process) context["process"] = process_json(*c.process);
  json routes = json::array();
  for (const RouteRecord& r : doc.routes) {
    routes.push_back({{"method", r.method}, {"path", r.path}, {"handler", r.handler}, {"kind", r.kind},
                      {"reason", r.reason}, {"demotions", r.demotions}, {"interpreter", r.interpreter}});
  }
  json runs = json::array();
  for (const RunRecord& run : doc.runs) runs.push_back(run_json(run));
  const ResultsConfig& cfg = doc.config;
  return {{"schema_version", kSchemaVersion},
          {"tool", {{"name", "fasterbench"}, {"version", c.build.version}, {"command", doc.command}}},
          {"context", context},
          {"scenario", {{"name", doc.scenario_name}, {"file", doc.scenario_file}}},
          {"config",
           {{"requests", cfg.requests}, {"warmup", cfg.warmup}, {"clients", cfg.clients}, {"workers", cfg.workers},
            {"repetitions", cfg.repetitions}, {"seed", cfg.seed}, {"probes", cfg.probes}, {"probe_sample", cfg.probe_sample},
            {"probe_sample_mode", cfg.probe_sample_mode},
            {"future_spin_ns", cfg.future_spin_ns}, {"wait", cfg.wait},
            {"demotion", {{"budget_ns", cfg.demote_budget_ns}, {"after", cfg.demote_after}}},
            {"subinterp_fallback", cfg.subinterp_fallback},
            {"inject_delay", inject_delay_json(cfg.inject_delay)}}},
          {"routes", routes},
          {"runs", runs},
          {"aggregates", aggregates_from_runs(runs)}};
}

}  // namespace fb::harness
