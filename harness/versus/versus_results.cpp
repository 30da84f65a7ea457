#include "harness/versus/versus_results.h"

#include <algorithm>

namespace fb::harness {
namespace {

using nlohmann::json;

template <class F>
std::vector<double> collect(const VersusServer& s, F field) {
  std::vector<double> out;
  for (const VersusRun& r : s.runs) {
    if (r.wrk.ok) out.push_back(field(r));
  }
  return out;
}

json aggregate_json(const Aggregate& a) {
  return {{"n", a.n}, {"median", a.median}, {"ci_low", a.ci_low}, {"ci_high", a.ci_high},
          {"min", a.min}, {"max", a.max}, {"spread_pct", a.spread_pct}};
}

json ratio_json(const std::optional<RatioEstimate>& r) {
  if (!r) return nullptr;
  return {{"ratio", r->ratio}, {"ci_low", r->ci_low}, {"ci_high", r->ci_high}};
}

json latency_json(const WrkLatency& l) {
  return {{"min", l.min}, {"mean", l.mean}, {"stdev", l.stdev}, {"max", l.max},
          {"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"p999", l.p999}};
}

}  // namespace

std::optional<std::size_t> fastapi_index(const std::vector<VersusServer>& servers) {
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (servers[i].kind == "fastapi" && !collect(servers[i], [](const VersusRun& r) { return r.wrk.requests_per_s; }).empty()) {
      return i;
    }
  }
  return std::nullopt;
}

VersusSummary summarize(const VersusServer& server, const VersusServer* fastapi) {
  VersusSummary s;
  const auto rps = collect(server, [](const VersusRun& r) { return r.wrk.requests_per_s; });
  const auto p50 = collect(server, [](const VersusRun& r) { return r.wrk.latency_us.p50; });
  const auto p99 = collect(server, [](const VersusRun& r) { return r.wrk.latency_us.p99; });
  const auto cpu = collect(server, [](const VersusRun& r) { return r.cpu_us_per_request; });
  s.requests_per_s = aggregate(rps);
  s.p50_us = aggregate(p50);
  s.p99_us = aggregate(p99);
  s.cpu_us_per_request = aggregate(cpu);
  for (const VersusRun& r : server.runs) s.errors += r.wrk.errors();
  if (fastapi != nullptr && !rps.empty()) {
    const auto f_rps = collect(*fastapi, [](const VersusRun& r) { return r.wrk.requests_per_s; });
    const auto f_p50 = collect(*fastapi, [](const VersusRun& r) { return r.wrk.latency_us.p50; });
    const auto f_cpu = collect(*fastapi, [](const VersusRun& r) { return r.cpu_us_per_request; });
    s.throughput_ratio = ratio_of_medians(f_rps, rps);  // server / FastAPI
    s.p50_ratio = ratio_of_medians(p50, f_p50);         // FastAPI / server
    s.cpu_ratio = ratio_of_medians(cpu, f_cpu);         // FastAPI / server
  }
  return s;
}

json versus_to_json(const json& context, const std::string& scenario_name, const std::string& scenario_file,
                    const VersusConfig& c, const VersusContextExtras& x, const std::vector<VersusServer>& servers) {
  json ctx = context;
  ctx["wrk_version"] = x.wrk_version;
  ctx["asgi_python"] = x.asgi_python;
  ctx["asgi_versions"] = x.asgi_versions;
  ctx["load_average_before"] = x.load_average_before;
  std::vector<double> steals;  // the runs that know theirs; none known: null ("unknown")
  for (const VersusServer& s : servers) {
    for (const VersusRun& r : s.runs) {
      if (r.steal_pct) steals.push_back(*r.steal_pct);
    }
  }
  ctx["steal_pct"] = steals.empty() ? json(nullptr) : json(median(steals));
  ctx["steal_pct_max"] = steals.empty() ? json(nullptr) : json(*std::max_element(steals.begin(), steals.end()));

  const auto fastapi = fastapi_index(servers);
  const double tool_cpus = static_cast<double>(std::min<std::int64_t>(c.threads, static_cast<std::int64_t>(x.tool_cpus.size())));
  json list = json::array();
  for (const VersusServer& s : servers) {
    json runs = json::array();
    for (const VersusRun& r : s.runs) {
      runs.push_back({{"repetition", r.repetition},
                      {"ok", r.wrk.ok},
                      {"error", r.wrk.ok ? json(nullptr) : json(r.wrk.error)},
                      {"requests", r.wrk.requests},
                      {"duration_s", r.wrk.duration_s},
                      {"requests_per_s", r.wrk.requests_per_s},
                      {"bytes", r.wrk.bytes},
                      {"errors", {{"connect", r.wrk.errors_connect}, {"read", r.wrk.errors_read},
                                  {"write", r.wrk.errors_write}, {"status", r.wrk.errors_status},
                                  {"timeout", r.wrk.errors_timeout}}},
                      {"latency_us", latency_json(r.wrk.latency_us)},
                      {"cpu_s", r.cpu_s},
                      {"tool_cpu_s", r.wrk.tool_cpu_s},
                      // wrk's CPU time over the CPU time its CPUs had: near 100 % means the load tool,
                      // not the server, may have set the pace.
                      {"tool_cpu_pct", r.wrk.duration_s > 0 && tool_cpus > 0
                                           ? 100.0 * r.wrk.tool_cpu_s / (r.wrk.duration_s * tool_cpus)
                                           : 0.0},
                      {"cpu_us_per_request", r.cpu_us_per_request},
                      {"steal_pct", r.steal_pct ? json(*r.steal_pct) : json(nullptr)}});
    }
    json entry = {{"name", s.name}, {"kind", s.kind}, {"phase", s.phase.empty() ? json(nullptr) : json(s.phase)},
                  {"command", s.command}, {"log", s.log_file}, {"started", s.started},
                  {"error", s.error.empty() ? json(nullptr) : json(s.error)}, {"ready_ms", s.ready_ms},
                  {"banner", s.banner}, {"exit_status", s.exit_status}, {"stop_ms", s.stop_ms}, {"runs", runs}};
    if (!s.runs.empty()) {
      const VersusSummary sum = summarize(s, fastapi ? &servers[*fastapi] : nullptr);
      std::vector<double> tool_pct;
      for (const auto& r : runs) {
        if (r["ok"].get<bool>()) tool_pct.push_back(r["tool_cpu_pct"].get<double>());
      }
      entry["summary"] = {{"requests_per_s", aggregate_json(sum.requests_per_s)},
                          {"tool_cpu_pct", tool_pct.empty() ? 0.0 : median(tool_pct)},
                          {"p50_us", aggregate_json(sum.p50_us)},
                          {"p99_us", aggregate_json(sum.p99_us)},
                          {"cpu_us_per_request", aggregate_json(sum.cpu_us_per_request)},
                          {"errors", sum.errors},
                          {"vs_fastapi", {{"throughput", ratio_json(sum.throughput_ratio)},
                                          {"p50_latency", ratio_json(sum.p50_ratio)},
                                          {"cpu_per_request", ratio_json(sum.cpu_ratio)}}}};
    } else {
      entry["summary"] = nullptr;
    }
    list.push_back(std::move(entry));
  }
  return {{"schema", "fasterbench-versus"},
          {"schema_version", 1},
          {"context", ctx},
          {"scenario", {{"name", scenario_name}, {"file", scenario_file}}},
          {"config", {{"tool", c.tool}, {"connections", c.connections}, {"threads", c.threads},
                      {"duration_s", c.duration_s}, {"warmup_s", c.warmup_s}, {"repetitions", c.repetitions},
                      {"io_threads", c.io_threads}, {"workers", c.workers},
                      {"server_cpus", x.server_cpus}, {"tool_cpus", x.tool_cpus}}},
          {"plan", {{"claim", "17-83x faster than FastAPI"}, {"low", kPlanRatioLow}, {"high", kPlanRatioHigh},
                    {"source", "optimization plan, 'What To Do Next?' (never measured there)"}}},
          {"servers", list}};
}

}  // namespace fb::harness
