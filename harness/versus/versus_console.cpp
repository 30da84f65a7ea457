#include "harness/versus/versus_console.h"

#include <fmt/format.h>

#include <string>

namespace fb::harness {
namespace {

using nlohmann::json;

// Above this share of its CPUs, wrk itself may be what limits the request rate.
constexpr double kToolBoundPct = 90;

std::string grouped(double v) {
  std::string digits = fmt::format("{:.0f}", v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string micros(double us) {
  if (us >= 1000) return fmt::format("{:.2f} ms", us / 1000);
  return fmt::format("{:.0f} µs", us);
}

std::string ratio(const json& r) {
  if (r.is_null()) return "-";
  return fmt::format("{:.2f}× [{:.2f}, {:.2f}]", r["ratio"].get<double>(), r["ci_low"].get<double>(),
                     r["ci_high"].get<double>());
}

}  // namespace

void print_versus_table(const json& doc, std::FILE* out) {
  const json& c = doc["config"];
  const json& ctx = doc["context"];
  std::string server_cpus, tool_cpus;
  for (const auto& v : c["server_cpus"]) server_cpus += (server_cpus.empty() ? "" : ",") + std::to_string(v.get<int>());
  for (const auto& v : c["tool_cpus"]) tool_cpus += (tool_cpus.empty() ? "" : ",") + std::to_string(v.get<int>());
  fmt::print(out, "\nversus · scenario {} · wrk {} · {} connections, {} thread(s), {} s × {} repetitions (interleaved), "
                  "{} s warm-up\n",
             doc["scenario"]["name"].get<std::string>(), ctx["wrk_version"].get<std::string>(),
             c["connections"].get<int>(), c["threads"].get<int>(), c["duration_s"].get<int>(),
             c["repetitions"].get<int>(), c["warmup_s"].get<int>());
  const std::string steal = ctx["steal_pct"].is_number()
                                ? fmt::format("{:.1f} % (max {:.1f} %)", ctx["steal_pct"].get<double>(), ctx["steal_pct_max"].get<double>())
                                : "unknown";
  fmt::print(out, "servers pinned to CPU {} (fasterbench: {} I/O thread(s), {} worker(s)); wrk on CPU {} · steal {} "
                  "· load average {:.2f} before · {}\n",
             server_cpus, c["io_threads"].get<int>(), c["workers"].get<int>(), tool_cpus, steal,
             ctx["load_average_before"].get<double>(),
             ctx["cpu_model"].is_string() ? ctx["cpu_model"].get<std::string>() : std::string());
  fmt::print(out, "{:<22} {:>28} {:>10} {:>10} {:>10} {:>7} {:>8}  {:<24} {}\n", "server", "requests/s (median [95% CI])",
             "p50", "p99", "CPU/req", "errors", "wrk CPU", "× FastAPI req/s [95% CI]", "plan");
  bool tool_bound = false;
  std::string failures;
  for (const json& s : doc["servers"]) {
    const std::string name = s["name"];
    if (s["summary"].is_null()) {
      failures += fmt::format("  {}: {}\n", name, s["error"].is_string() ? s["error"].get<std::string>() : "no measurement");
      continue;
    }
    const json& sum = s["summary"];
    const json& rps = sum["requests_per_s"];
    const bool is_fastapi = s["kind"] == "fastapi";
    const double tool_pct = sum["tool_cpu_pct"];
    tool_bound = tool_bound || tool_pct > kToolBoundPct;
    fmt::print(out, "{:<22} {:>28} {:>10} {:>10} {:>10} {:>7} {:>7.0f}%  {:<24} {}\n", name,
               fmt::format("{} [{}, {}]", grouped(rps["median"]), grouped(rps["ci_low"]), grouped(rps["ci_high"])),
               micros(sum["p50_us"]["median"]), micros(sum["p99_us"]["median"]),
               micros(sum["cpu_us_per_request"]["median"]), sum["errors"].get<std::uint64_t>(), tool_pct,
               is_fastapi ? std::string("1 (reference)") : ratio(sum["vs_fastapi"]["throughput"]),
               s["kind"] == "fasterbench" ? fmt::format("{:.0f}-{:.0f}×", doc["plan"]["low"].get<double>(),
                                                        doc["plan"]["high"].get<double>())
                                          : "");
    if (!s["error"].is_null()) failures += fmt::format("  {}: {}\n", name, s["error"].get<std::string>());
  }
  fmt::print(out, "p50/p99: wrk's latency distribution (median over repetitions); CPU/req: the server process's user+system "
                  "time / requests; wrk CPU: the load tool's CPU time over what its CPUs had; plan: the optimization "
                  "plan's claim, never measured there\n");
  if (tool_bound) {
    fmt::print(out, "WARNING: wrk used more than {:.0f} % of its CPUs for some server: the load tool may have set the pace, "
                    "so that server's requests/s is a lower bound (give wrk more CPUs: --tool-cpus, --threads)\n",
               kToolBoundPct);
  }
  for (const json& s : doc["servers"]) {
    if (s["summary"].is_null() || s["kind"] == "fastapi") continue;
    const json& v = s["summary"]["vs_fastapi"];
    if (v["p50_latency"].is_null()) continue;
    fmt::print(out, "  {}: p50 latency {} lower, CPU per request {} lower than FastAPI's\n", s["name"].get<std::string>(),
               ratio(v["p50_latency"]), ratio(v["cpu_per_request"]));
  }
  if (!failures.empty()) fmt::print(out, "not measured, or failed:\n{}", failures);
}

}  // namespace fb::harness
