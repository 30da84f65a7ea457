#include "harness/results/results_json.h"


#include "framework/inject_delay.h"
#include "harness/measure/instruction_windows.h"
#include "harness/results/json_values.h"
#include "harness/results/probes_json.h"
#include "harness/results/statistics_json.h"
#include "harness/stats/load_figures.h"
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
                   {"index", value_or_null(t.index)},
                   {"name", t.name},
                   {"tid", t.tid},
                   {"cpus_seen", t.cpus_seen},
                   {"affinity", t.affinity},
                   {"migrations", value_or_null(t.migrations)},
                   {"voluntary_switches", t.voluntary_switches},
                   {"involuntary_switches", t.involuntary_switches},
                   {"run_ms", t.run_ms},
                   {"runqueue_ms", t.runqueue_ms}});
  }
  return out;
}

// The measured requests in consecutive blocks (LoadSettings::blocks): how many, and the
// p50 of their total.
json blocks_json(const LoadResult& r) {
  json out = json::array();
  for (const probes::Histogram& h : r.block_totals) {
    out.push_back({{"requests", h.count()}, {"total_p50_ns", h.value_at_percentile(50)}});
  }
  return out;
}

// The stages of a recorder, every stage by name (runs[].stages and runs[].routes[].stages).
json stages_json(const probes::InprocRecorder& recorder) {
  json stages = json::object();
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    stages[std::string(probes::stage_name(stage))] = stage_to_json(recorder.stage(stage), recorder.signed_mean(stage));
  }
  return stages;
}

json little_json(const LittleCheck& c) {
  return {{"samples", c.samples},
          {"measured_in_system", c.measured_in_system},
          {"standard_error", c.standard_error},
          {"predicted_in_system", c.predicted_in_system},
          {"predicted_uncorrected_in_system", c.predicted_uncorrected_in_system},
          {"relative_difference", c.relative_difference},
          {"checked", c.checked},
          {"holds", c.holds}};
}

// runs[].load: how the load went (harness/stats/load_figures.h), and the generator's own limit.
json load_json(const RunRecord& run) {
  const LoadResult& r = run.load;
  const LoadFigures f = load_figures(r, r.stages->signed_mean(FB_STAGE_TOTAL));
  json j = {{"mode", f.mode},
            {"offered_rps", value_or_null(f.offered_rps)},
            {"achieved_rps", f.achieved_rps},
            {"achieved_ratio", f.achieved_ratio},
            {"saturated", f.saturated},
            {"late_sends", f.late_sends},
            {"late_threshold_ns", f.late_threshold_ns},
            {"max_lag_ns", f.max_lag_ns},
            {"scheduled", f.scheduled},
            {"window_s", f.window_s},
            {"little", f.little ? little_json(*f.little) : json(nullptr)},
            {"generator_limit", nullptr}};
  if (run.generator_limit) {
    j["generator_limit"] = {{"rps", run.generator_limit->rps},
                            {"senders", run.generator_limit->senders},
                            {"trials_rps", run.generator_limit->trials_rps},
                            {"what", "no-op sends from a schedule whose every arrival is due"}};
  }
  return j;
}

// runs[].uncorrected_total: what a closed loop's clock would have said about the same requests
// (arrive -> response ready); null in a closed loop, where it is `total`.
json uncorrected_json(const LoadResult& r) {
  if (!r.schedule) return nullptr;
  const ScheduleOutcome& s = *r.schedule;
  const auto n = s.uncorrected_total.count();
  return stage_to_json(s.uncorrected_total, n == 0 ? 0.0 : static_cast<double>(s.uncorrected_sum_ns) / static_cast<double>(n));
}

// runs[].routes[].errors.messages: the first distinct errors of the route.
json error_messages_json(const std::vector<ErrorMessage>& messages) {
  json out = json::array();
  for (const ErrorMessage& m : messages) {
    out.push_back({{"type", m.type}, {"message", m.message}, {"handler", m.handler}, {"count", m.count}});
  }
  return out;
}

json route_runs_json(const std::vector<RouteRun>& routes) {
  json out = json::array();
  for (const RouteRun& r : routes) {
    out.push_back({{"route", r.route},
                   {"method", r.method},
                   {"path", r.path},
                   {"requests", r.requests},
                   {"client_errors", r.client_errors},
                   {"errors", {{"count", r.errors.count}, {"messages", error_messages_json(r.errors.messages)}}},
                   {"stages", stages_json(*r.stages)}});  // route_runs() always gives a recorder
  }
  return out;
}

json replay_json(const ReplayReport& r) {
  json top = json::array();
  for (const UnmatchedPath& u : r.top_unmatched) top.push_back({{"path", u.path}, {"count", u.count}});
  json bad = json::array();
  for (const MalformedLine& m : r.first_malformed) bad.push_back({{"line", m.line}, {"reason", m.reason}});
  return {{"file", r.file},
          {"format", r.format},
          {"timing", r.timing},
          {"speed", r.speed},
          {"lines", r.lines},
          {"blank", r.blank},
          {"requests", r.requests},
          {"routed", r.routed},
          {"mapped", r.mapped},
          {"recorded_span_s", r.recorded_span_s},
          {"unmatched", {{"count", r.unmatched}, {"top", top}}},
          {"malformed", {{"count", r.malformed}, {"first", bad}}}};
}

}  // namespace

json placement_to_json(const Placement& p) {
  return {{"policy", std::string(pin_policy_name(p.policy))},
          {"cpus", p.cpus},
          {"roles", {{"client", p.client}, {"worker", p.worker}, {"loop", p.worker}}}};
}

Placement placement_from_json(const json& j) {
  Placement p;
  p.policy = pin_policy_from_name(j.at("policy").get<std::string>()).value_or(PinPolicy::off);
  p.cpus = j.at("cpus").get<std::vector<int>>();
  p.client = j.at("roles").at("client").get<std::vector<int>>();
  p.worker = j.at("roles").at("worker").get<std::vector<int>>();
  return p;
}

json process_record_to_json(const ProcessRecord& p) {
  return {{"hash_seed", p.hash_seed == "random" ? json("random") : json(std::stoul(p.hash_seed))},
          {"hash_seed_source", p.hash_seed_source},
          {"aslr", p.aslr ? "on" : "off"},
          {"environment", p.environment},
          {"arg_env_bytes", p.arg_env_bytes},
          {"reexecuted", p.reexecuted}};
}

ProcessRecord process_record_from_json(const json& j) {
  ProcessRecord p;
  const json& seed = j.at("hash_seed");
  p.hash_seed = seed.is_string() ? seed.get<std::string>() : std::to_string(seed.get<std::uint64_t>());
  p.hash_seed_source = j.value("hash_seed_source", "");
  p.aslr = j.at("aslr").get<std::string>() == "on";
  p.environment = j.at("environment").get<std::string>();
  p.arg_env_bytes = j.at("arg_env_bytes").get<std::size_t>();
  p.reexecuted = j.value("reexecuted", false);
  return p;
}

namespace {

// A run measured in instructions (--measure instructions): no times at all. Each stage has the
// requests that went through it and the instructions per request of the run (so the stages add
// up to total); the windows they come from are kept for checking.
json instruction_run_to_json(json j, const RunRecord& run) {
  const LoadResult& r = run.load;
  const InstructionCounts& c = *run.instructions;
  j["measure"] = "instructions";
  j["requests"] = r.requests;
  j["errors"] = r.server_errors;
  j["client_errors"] = r.client_errors;
  j["allocations_per_request"] = allocations_json(r, FB_STAGE_TOTAL);
  j["demotions"] = run.demotions;
  j["steal_pct"] = value_or_null(r.steal_pct);
  j["per_route_requests"] = r.per_route;
  j["instructions_per_request"] = c.per_request;
  json stages = json::object();
  for (std::size_t s = 0; s < probes::kPipelineStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    if (!c.stage_per_request[s]) continue;
    stages[std::string(probes::stage_name(stage))] = {{"count", r.stages->stage(stage).count()},
                                                       {"instructions_per_request", *c.stage_per_request[s]}};
  }
  j["stages"] = stages;
  json windows = json::array();
  for (std::size_t w = 0; w < c.window_instructions.size(); ++w) {
    windows.push_back({{"counted", w == 0 ? std::string("every stage") : std::string(probes::stage_name(kInstructionWindowStages[w - 1]))},
                       {"instructions", c.window_instructions[w]}});
  }
  j["instructions"] = {{"requests_per_window", c.requests_per_window}, {"windows", windows}, {"closure", c.closure}};
  j["interpreter_layout"] = run.interpreter_layout;
  j["threads"] = threads_json(run.threads);
  return j;
}

}  // namespace

json run_to_json(const RunRecord& run) {
  if (!run.supported) {  // a configuration `phases` could not run here: no measurements
    return {{"config", run.config},
            {"phase", run.phase.empty() ? json(nullptr) : json(run.phase)},
            {"opts", run.opts},
            {"repetition", run.repetition},
            {"supported", false},
            {"unsupported_reason", run.unsupported_reason},
            {"stages", json::object()}};
  }
  if (!run.crashed.empty()) {  // a repetition whose process died: `phases` measured the others
    return {{"config", run.config},
            {"phase", run.phase.empty() ? json(nullptr) : json(run.phase)},
            {"opts", run.opts},
            {"repetition", run.repetition},
            {"stamps", run.stamps},
            {"supported", true},
            {"unsupported_reason", ""},
            {"crashed", run.crashed},
            {"crash_log", run.crash_log},
            {"stages", json::object()}};
  }
  json j = {{"config", run.config},
            {"phase", run.phase.empty() ? json(nullptr) : json(run.phase)},
            {"opts", run.opts},
            {"wait", run.wait.empty() ? json(nullptr) : json(run.wait)},
            {"repetition", run.repetition},
            {"stamps", run.stamps},
            {"supported", run.supported},
            {"unsupported_reason", run.unsupported_reason}};
  if (run.instructions) return instruction_run_to_json(std::move(j), run);
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
  j["steal_pct"] = value_or_null(r.steal_pct);
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
  j["load"] = load_json(run);
  j["uncorrected_total"] = uncorrected_json(r);
  j["routes"] = route_runs_json(run.routes);
  if (run.replay) j["replay"] = replay_json(*run.replay);
  if (run.target) {
    j["target"] = run.target->url;
    j["transport_errors"] = run.target->transport_errors;
    j["reconnects"] = run.target->reconnects;
  }
  return j;
}

namespace {

// config.inject_delay: null, or {"stage": "dispatch", "ns": 2000, "spec": "dispatch=2000"}.
json inject_delay_json(const std::string& spec) {
  if (spec.empty()) return nullptr;
  const InjectedDelay d = parse_injected_delay(spec);
  return {{"stage", std::string(probes::stage_name(d.stage))}, {"ns", d.ns}, {"every", d.every}, {"spec", spec}};
}

// config.inject_work: null, or {"stage": "marshal", "iterations": 5000, "spec": "marshal=5000"}.
json inject_work_json(const std::string& spec) {
  if (spec.empty()) return nullptr;
  const InjectedDelay w = parse_injected_work(spec);
  return {{"stage", std::string(probes::stage_name(w.stage))}, {"iterations", w.work}, {"spec", spec}};
}

}  // namespace

json measure_record_to_json(const MeasureRecord& m) {
  json j = {{"metric", m.metric}, {"tool", m.tool}};
  if (m.metric != "instructions") return j;
  j["version"] = m.version;
  j["options"] = m.options;
  j["times"] = "none: a run under Callgrind reports instruction counts only";
  j["native_ns_per_request"] = value_or_null(m.native_ns_per_request);
  j["instrumented_ns_per_request"] = value_or_null(m.instrumented_ns_per_request);
  j["slowdown"] = value_or_null(m.slowdown);
  return j;
}

MeasureRecord measure_record_from_json(const json& j) {
  MeasureRecord m;
  m.metric = j.value("metric", "time");
  m.tool = j.value("tool", m.tool);
  m.version = j.value("version", "");
  if (j.contains("options")) m.options = j.at("options").get<std::vector<std::string>>();
  const auto number = [&j](const char* key) -> std::optional<double> {
    if (!j.contains(key) || !j.at(key).is_number()) return std::nullopt;
    return j.at(key).get<double>();
  };
  m.native_ns_per_request = number("native_ns_per_request");
  m.instrumented_ns_per_request = number("instrumented_ns_per_request");
  m.slowdown = number("slowdown");
  return m;
}

RunRecord instruction_run_from_json(const json& run) {
  RunRecord r;
  r.config = run.at("config").get<std::string>();
  r.repetition = run.at("repetition").get<int>();
  r.opts = run.at("opts").get<std::vector<std::string>>();
  r.load.requests = run.at("requests").get<std::uint64_t>();
  InstructionCounts c;
  const json& in = run.at("instructions");
  c.requests_per_window = in.at("requests_per_window").get<std::uint64_t>();
  for (const json& w : in.at("windows")) c.window_instructions.push_back(w.at("instructions").get<std::uint64_t>());
  c.closure = in.at("closure").get<double>();
  c.per_request = run.at("instructions_per_request").get<double>();
  for (const auto& [name, values] : run.at("stages").items()) {
    if (const auto stage = probes::stage_from_name(name); stage && values.contains("instructions_per_request")) {
      c.stage_per_request[*stage] = values.at("instructions_per_request").get<double>();
    }
  }
  r.instructions = std::move(c);
  return r;
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
        {"subinterpreters_supported", c.python.subinterpreters_supported},
        {"mode", c.python.mode}}},
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
      {"steal_pct", value_or_null(c.steal_pct)},
      // What allocations_per_request counts: Python's own allocator (PyMem / pymalloc) and plain
      // malloc never go through C++ operator new and are not in the figures.
      {"allocator", probes::alloc_counting_linked() ? "C++ operator new only" : "not counted"},
      {"clock", {{"source", c.clock_source}, {"ns_per_tick", c.ns_per_tick}, {"stamp_cost_ns", c.stamp_cost_ns}}},
      {"ebpf", ebpf_context_to_json(c.ebpf)},
  };
  if (c.placement) context["placement"] = placement_to_json(*c.placement);
  if (c.process) context["process"] = process_record_to_json(*c.process);
  context["measure"] = measure_record_to_json(c.measure);
  json routes = json::array();
  for (const RouteRecord& r : doc.routes) {
    routes.push_back({{"method", r.method}, {"path", r.path}, {"handler", r.handler}, {"kind", r.kind},
                      {"reason", r.reason}, {"demotions", r.demotions}, {"interpreter", r.interpreter}});
  }
  json runs = json::array();
  for (const RunRecord& run : doc.runs) runs.push_back(run_to_json(run));
  const ResultsConfig& cfg = doc.config;
  json out = {{"schema_version", kSchemaVersion},
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
            {"inject_delay", inject_delay_json(cfg.inject_delay)},
            {"inject_work", inject_work_json(cfg.inject_work)},
            {"measure", cfg.measure},
            {"load", cfg.load}, {"load_plan", cfg.load_plan},
            {"max_error_rate", value_or_null(cfg.max_error_rate)}}},
          {"routes", routes},
          {"runs", runs},
          {"aggregates", aggregates_to_json(doc.aggregates)}};
  if (!cfg.target.empty()) {
    // What is different about a run against a server: where the requests went, and that `total`
    // is the latency the client saw (request written -> response read), not the pipeline's.
    out["context"]["target"] = cfg.target;
    out["config"]["target"] = cfg.target;
    out["config"]["total_is"] = "client-side latency: request sent -> last byte of the response read";
  }
  return out;
}

}  // namespace fb::harness
