#include "harness/console_noise.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "harness/units.h"

namespace fb::harness {
namespace {

using nlohmann::json;

std::string cpu_text(const json& cpus) {
  std::string out;
  for (const json& c : cpus) out += (out.empty() ? "" : ",") + std::to_string(c.get<int>());
  return out.empty() ? "-" : out;
}

std::string pct_text(const json& v) { return v.is_number() ? fmt::format("{:.1f} %", v.get<double>()) : std::string("n/a"); }

}  // namespace

void print_isolation(const json& doc, std::FILE* out) {
  const json& ctx = doc.at("context");
  std::string line;
  if (ctx.contains("placement")) {
    const json& p = ctx.at("placement");
    const json& roles = p.at("roles");
    line += fmt::format("placement {} on CPUs {} (clients {} · workers {})", p.at("policy").get<std::string>(),
                        cpu_text(p.at("cpus")), cpu_text(roles.at("client")), cpu_text(roles.at("worker")));
  }
  if (ctx.contains("process")) {
    const json& p = ctx.at("process");
    const json& seed = p.at("hash_seed");
    line += fmt::format("{}hash seed {} · ASLR {} · environment {} ({} bytes with the arguments)", line.empty() ? "" : " · ",
                        seed.is_string() ? seed.get<std::string>() : std::to_string(seed.get<std::uint64_t>()),
                        p.at("aslr").get<std::string>(), p.at("environment").get<std::string>(),
                        format_count(p.at("arg_env_bytes").get<double>()));
  }
  if (!line.empty()) fmt::print(out, "{}\n", line);
}

void print_threads(const json& doc, std::FILE* out) {
  for (const json& run : doc.at("runs")) {
    if (!run.contains("threads") || run.at("threads").empty()) continue;
    fmt::print(out, "\nthreads of {} rep {} (measured part)\n", run.at("config").get<std::string>(),
               run.at("repetition").get<int>() + 1);
    fmt::print(out, "{:<14}{:>10}{:>10}{:>12}{:>24}{:>11}{:>11}\n", "thread", "cpus seen", "affinity", "migrations",
               "switches vol / invol", "on CPU", "runqueue");
    for (const json& t : run.at("threads")) {
      const std::string role = t.at("role").get<std::string>();
      if (role != "client" && role != "worker" && role != "loop") continue;
      const json& migrations = t.at("migrations");
      fmt::print(out, "{:<14}{:>10}{:>10}{:>12}{:>24}{:>11}{:>11}\n", t.at("name").get<std::string>(), cpu_text(t.at("cpus_seen")),
                 cpu_text(t.at("affinity")), migrations.is_number() ? format_count(migrations.get<double>()) : "n/a",
                 fmt::format("{} / {}", format_count(t.at("voluntary_switches").get<double>()),
                             format_count(t.at("involuntary_switches").get<double>())),
                 format_ns(t.at("run_ms").get<double>() * 1e6), format_ns(t.at("runqueue_ms").get<double>() * 1e6));
    }
  }
}

void print_noise(const json& doc, std::FILE* out) {
  bool header = false;
  const bool separate_processes = doc.at("config").value("isolation", "") == "process";  // phases
  for (const json& agg : doc.at("aggregates")) {
    if (!agg.contains("noise")) continue;
    const json& n = agg.at("noise");
    if (!n.at("within_pct").is_number()) continue;
    const std::string between = separate_processes ? "processes" : "repetitions";
    if (!header) {
      fmt::print(out, "noise budget of total p50 (coefficient of variation; within: {} blocks of one repetition; between: {}{})\n",
                 n.at("blocks_per_repetition").get<int>(), between, separate_processes ? "" : ", all in this one process");
      header = true;
    }
    const json& share = n.at("between_share");
    fmt::print(out, "  {:<20} within {:>7}   between {:>7}{}\n", agg.at("config").get<std::string>(), pct_text(n.at("within_pct")),
               pct_text(n.at("between_pct")),
               share.is_number() ? fmt::format("   ({:.0f} % of the variance between {})", share.get<double>() * 100, between) : "");
  }
  for (const json& agg : doc.at("aggregates")) {
    if (agg.contains("bimodal") && agg.at("bimodal").is_object()) {
      fmt::print(out, "warning: {}\n", agg.at("bimodal").at("message").get<std::string>());
    }
  }
}

void print_instrumentation_tax(const json& doc, std::FILE* out) {
  if (!doc.contains("instrumentation_tax") || doc.at("instrumentation_tax").empty()) return;
  fmt::print(out, "instrumentation tax: what the stage points cost a request (total p50 with every point - with "
                  "arrive and response_ready only; stamp {})\n",
             format_ns(doc.at("context").at("clock").at("stamp_cost_ns").get<double>()));
  for (const json& t : doc.at("instrumentation_tax")) {
    const json& ns = t.at("tax_ns");
    const json& pct = t.at("tax_pct");
    const bool significant = ns.at("ci_low").get<double>() > 0 || ns.at("ci_high").get<double>() < 0;
    fmt::print(out, "  {:<20} {:>9} vs {:>9}   tax {}{} [{}, {}]  {:+.1f} %{}\n", t.at("config").get<std::string>(),
               format_ns(t.at("total_p50_ns").at("all").get<double>()), format_ns(t.at("total_p50_ns").at("ends").get<double>()),
               significant ? "" : "~", format_ns(ns.at("median").get<double>()), format_ns(ns.at("ci_low").get<double>()),
               format_ns(ns.at("ci_high").get<double>()), pct.at("median").get<double>(),
               significant ? "" : "  (CI includes 0: no tax measured)");
  }
}

}  // namespace fb::harness
