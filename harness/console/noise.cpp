#include "harness/console/noise.h"

#include <fmt/format.h>

#include <string>

#include "harness/placement/cpu_list.h"
#include "harness/text/findings.h"
#include "harness/text/units.h"

namespace fb::harness {
namespace {

std::string cpu_text(const std::vector<int>& cpus) {
  std::string out;
  for (int c : cpus) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out.empty() ? "-" : out;
}

std::string pct_text(const std::optional<double>& v) { return v ? fmt::format("{:.1f} %", *v) : std::string("n/a"); }

}  // namespace

void print_isolation(const DocumentSummary& doc, std::FILE* out) {
  std::string line;
  if (doc.placement) {
    const Placement& p = *doc.placement;
    line += fmt::format("placement {} on CPUs {} (clients {} · workers {})", pin_policy_name(p.policy), cpu_text(p.cpus),
                        cpu_text(p.client), cpu_text(p.worker));
  }
  if (doc.process) {
    const ProcessRecord& p = *doc.process;
    line += fmt::format("{}hash seed {} · ASLR {} · environment {} ({} bytes with the arguments)", line.empty() ? "" : " · ",
                        p.hash_seed, p.aslr ? "on" : "off", p.environment,
                        format_count(static_cast<double>(p.arg_env_bytes)));
  }
  if (!line.empty()) fmt::print(out, "{}\n", line);
}

void print_threads(const ResultsDocument& doc, std::FILE* out) {
  for (const RunRecord& run : doc.runs) {
    if (run.threads.empty()) continue;
    fmt::print(out, "\nthreads of {} rep {} (measured part)\n", run.config, run.repetition + 1);
    fmt::print(out, "{:<14}{:>10}{:>10}{:>12}{:>24}{:>11}{:>11}\n", "thread", "cpus seen", "affinity", "migrations",
               "switches vol / invol", "on CPU", "runqueue");
    for (const ThreadRecord& t : run.threads) {
      if (t.role != ThreadRole::client && t.role != ThreadRole::worker && t.role != ThreadRole::loop) continue;
      fmt::print(out, "{:<14}{:>10}{:>10}{:>12}{:>24}{:>11}{:>11}\n", t.name, cpu_text(t.cpus_seen), cpu_text(t.affinity),
                 t.migrations ? format_count(static_cast<double>(*t.migrations)) : "n/a",
                 fmt::format("{} / {}", format_count(static_cast<double>(t.voluntary_switches)),
                             format_count(static_cast<double>(t.involuntary_switches))),
                 format_ns(t.run_ms * 1e6), format_ns(t.runqueue_ms * 1e6));
    }
  }
}

void print_noise(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  bool header = false;
  const std::string between = doc.separate_processes ? "processes" : "repetitions";
  for (const ConfigurationAggregate& a : aggregates) {
    if (!a.measured() || !a.noise.within_pct) continue;
    if (!header) {
      fmt::print(out, "noise budget of total p50 (coefficient of variation; within: {} blocks of one repetition; between: {}{})\n",
                 a.noise.blocks, between, doc.separate_processes ? "" : ", all in this one process");
      header = true;
    }
    fmt::print(out, "  {:<20} within {:>7}   between {:>7}{}\n", a.config, pct_text(a.noise.within_pct),
               pct_text(a.noise.between_pct),
               a.noise.between_share
                   ? fmt::format("   ({:.0f} % of the variance between {})", *a.noise.between_share * 100, between)
                   : "");
  }
  for (const ConfigurationAggregate& a : aggregates) {
    if (a.bimodal) fmt::print(out, "warning: {}\n", describe_bimodality(a.config, *a.bimodal));
  }
}

void print_instrumentation_tax(const DocumentSummary& doc, const std::vector<InstrumentationTax>& taxes, std::FILE* out) {
  if (taxes.empty()) return;
  fmt::print(out, "instrumentation tax: what the stage points cost a request (total p50 with every point - with "
                  "arrive and response_ready only; stamp {})\n",
             format_ns(doc.stamp_cost_ns));
  for (const InstrumentationTax& t : taxes) {
    const Aggregate& ns = t.tax.absolute;
    const bool significant = ns.ci_low > 0 || ns.ci_high < 0;
    fmt::print(out, "  {:<20} {:>9} vs {:>9}   tax {}{} [{}, {}]  {:+.1f} %{}\n", t.config, format_ns(t.total_p50_all),
               format_ns(t.total_p50_ends), significant ? "" : "~", format_ns(ns.median), format_ns(ns.ci_low),
               format_ns(ns.ci_high), t.tax.percent.median, significant ? "" : "  (CI includes 0: no tax measured)");
  }
}

}  // namespace fb::harness
