#include "harness/console/stage_tables.h"

#include <fmt/format.h>

#include <iterator>
#include <map>
#include <string>

#include "harness/stats/instrumentation_tax.h"
#include "harness/text/units.h"

namespace fb::harness {
namespace {

// "0.4 %", or "unknown" when /proc/stat could not tell.
std::string format_steal(const std::optional<double>& pct) { return pct ? fmt::format("{:.1f} %", *pct) : "unknown"; }

// "allocations/request (C++ operator new): 2.02 = future 1.00 + marshal 1.00 + dispatch 0.02",
// medians over repetitions; nothing when allocations were not counted.
void print_allocations(const ConfigurationAggregate& a, std::FILE* out) {
  if (!a.allocations_median) return;
  std::string parts;
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    if (s == FB_STAGE_TOTAL) continue;
    const std::optional<double>& n = a.stages[s].allocations_median;
    if (!n || *n <= 0) continue;
    const std::string value = *n >= 0.01 ? fmt::format("{:.2f}", *n) : fmt::format("{:.1e}", *n);  // never a bare "0.00"
    parts += fmt::format("{}{} {}", parts.empty() ? " = " : " + ", probes::kStageNames[s], value);
  }
  fmt::print(out, "allocations/request (C++ operator new only): {:.2f}{}\n", *a.allocations_median, parts);
}

void print_config(const ConfigurationAggregate& a, std::FILE* out) {
  std::string opts;
  for (const std::string& o : a.opts) opts += (opts.empty() ? "" : ",") + o;
  fmt::print(out, "\n== {} ({}) ==\n", a.config, opts.empty() ? "baseline" : opts);
  if (!a.supported) {
    fmt::print(out, "unsupported: {}\n", a.unsupported_reason);
    return;
  }
  if (!a.measured()) {
    fmt::print(out, "crashed: {} (every repetition: {})\n", a.crashed, a.crashed_repetitions);
    return;
  }
  if (a.crashed_repetitions > 0) {
    fmt::print(out, "{} repetition(s) crashed (first: {}); the figures are over the other {}\n", a.crashed_repetitions,
               a.crashed, a.repetitions);
  }
  // One repetition has no spread to show: say so rather than print 0 %.
  const std::string tput_spread =
      a.repetitions < 2 ? "no spread: 1 repetition" : fmt::format("spread {:.1f} %", a.throughput.spread_pct);
  fmt::print(out,
             "{} repetition(s) x {} requests · throughput {} req/s ({}) · errors {} · demotions {} · steal {}\n",
             a.repetitions, format_count(static_cast<double>(a.requests)), format_count(a.throughput.median), tput_spread,
             format_count(a.errors.median), format_count(a.demotions), format_steal(a.steal_median));
  print_allocations(a, out);
  fmt::print(out, "{:<9}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>9}{:>8}\n", "stage", "count", "p50", "p90", "p99", "p99.9",
             "mean", "spread", "share");
  const StageAggregate& total = a.stage(FB_STAGE_TOTAL);
  const double total_time = total.mean.median * total.count.median;
  const double total_count = total.count.median;
  double sum_p50 = 0;
  std::string partial;  // stages only some requests went through (e.g. dispatch on the direct path)
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const StageAggregate& st = a.stages[s];
    const std::string_view name = probes::kStageNames[s];
    const double count = st.count.median;
    const std::string spread = a.repetitions > 1 ? fmt::format("{:.1f} %", st.p50.spread_pct) : "-";
    // recv and send (the HTTP front end) lie outside total: no share of it, not in the closure;
    // queue (open loop) is inside it.
    const bool beside_total = s >= probes::kPipelineStageCount && !fb_stage_in_total(static_cast<int>(s));
    const bool whole = s == FB_STAGE_TOTAL;
    const std::string share =
        whole || beside_total || total_time <= 0 ? "" : fmt::format("{:.1f} %", 100.0 * st.mean.median * count / total_time);
    if (!whole && !beside_total && s != FB_STAGE_OTHER) {
      if (count == total_count) {
        sum_p50 += st.p50.median;
      } else if (count > 0) {
        partial += fmt::format("{}{} ({} of {})", partial.empty() ? "" : ", ", name, format_count(count), format_count(total_count));
      }
    }
    auto ns = [count](double v) { return count == 0 ? std::string("-") : format_ns(v); };
    fmt::print(out, "{:<9}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>9}{:>8}\n", name, format_count(count), ns(st.p50.median),
               ns(st.p90_median), ns(st.p99.median), ns(st.p999_median), ns(st.mean.median), spread, share);
  }
  const double total_p50 = total.p50.median;
  const double other_p50 = a.stage(FB_STAGE_OTHER).p50.median;
  fmt::print(out, "closure: sum of stage p50s {} vs total p50 {}; other p50 {} ({:.1f} % of total)\n", format_ns(sum_p50),
             format_ns(total_p50), format_ns(other_p50), total_p50 > 0 ? 100.0 * other_p50 / total_p50 : 0.0);
  if (!partial.empty()) {
    fmt::print(out, "         (the sum leaves out stages only some requests went through: {})\n", partial);
  }
}

}  // namespace

void print_stage_tables(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  fmt::print(out, "scenario {} ({}) · Python {} · clock {} ({:.1f} ns per stamp) · {} CPUs, {}\n", doc.scenario_name,
             doc.scenario_file, doc.python_version, doc.clock_source, doc.stamp_cost_ns, doc.cpus, doc.cpu_model);
  fmt::print(out, "clients {} · workers {} · warm-up {} · seed {}\n", doc.clients, doc.workers,
             format_count(static_cast<double>(doc.warmup)), doc.seed);
  for (const ConfigurationAggregate& a : aggregates) print_config(a, out);
  fmt::print(out, "(times are medians over repetitions; spread = (max - min) / median of p50 across repetitions; "
                  "share = stage's part of all request time)\n");
}

void print_phase_summary(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  fmt::print(out, "\nscenario {} · Python {} · {} CPUs · steal {} · {} repetition(s) per configuration\n",
             doc.scenario_name, doc.python_version, doc.cpus, format_steal(doc.steal_pct), doc.repetitions);
  fmt::print(out, "{:<22}{:>30}{:>9}{:>11}{:>11}{:>11}{:>11}{:>11}{:>10}{:>11}\n", "config", "total p50 [95% CI]", "spread",
             "p99", "dispatch", "gil", "future", "req/s", "step", "demotions");
  // step: total p50 vs the closest lower cumulative phase measured (P1 vs P0, ...); other
  // configurations have none. "~" marks a step whose two 95 % CIs overlap: no difference measured.
  std::map<std::string, const Aggregate*> phases;  // "P0".."P5" sort in phase order
  for (const ConfigurationAggregate& a : aggregates) {
    if (a.phase && a.measured()) phases[*a.phase] = &a.stage(FB_STAGE_TOTAL).p50;
  }
  for (const ConfigurationAggregate& a : aggregates) {
    if (a.config.ends_with(kEndsSuffix)) continue;  // in the instrumentation tax (console/noise.h)
    if (!a.supported) {
      fmt::print(out, "{:<22}unsupported: {}\n", a.config, a.unsupported_reason);
      continue;
    }
    if (!a.measured()) {
      fmt::print(out, "{:<22}crashed: {}\n", a.config, a.crashed);
      continue;
    }
    const Aggregate& total = a.stage(FB_STAGE_TOTAL).p50;
    auto p50 = [&](fb_stage s) { return a.stage(s).count.median == 0 ? std::string("-") : format_ns(a.stage(s).p50.median); };
    std::string step;
    if (a.phase) {
      const auto here = phases.find(*a.phase);
      if (here != phases.begin() && here != phases.end()) {
        const Aggregate& before = *std::prev(here)->second;
        const bool overlap = total.ci_low <= before.ci_high && before.ci_low <= total.ci_high;
        step = fmt::format("{}{:+.1f} %", overlap ? "~" : "", (total.median - before.median) / before.median * 100.0);
      }
    }
    // What makes the row's figures suspect, after them: too many failed requests, lost repetitions.
    std::string marks;
    if (a.error_summary.over_limit) marks += fmt::format("  errors {:.1f} %", a.error_summary.rate * 100);
    if (a.crashed_repetitions > 0) {
      marks += fmt::format("  crashed {}/{}", a.crashed_repetitions, a.crashed_repetitions + a.repetitions);
    }
    fmt::print(out, "{:<22}{:>30}{:>9}{:>11}{:>11}{:>11}{:>11}{:>11}{:>10}{:>11}{}\n", a.config,
               fmt::format("{} [{}, {}]", format_ns(total.median), format_ns(total.ci_low), format_ns(total.ci_high)),
               fmt::format("{:.1f} %", total.spread_pct), format_ns(a.stage(FB_STAGE_TOTAL).p99.median),
               p50(FB_STAGE_DISPATCH), p50(FB_STAGE_GIL), p50(FB_STAGE_FUTURE), format_count(a.throughput.median), step,
               format_count(a.demotions), marks);
  }
  fmt::print(out, "(step: total p50 vs the phase before; ~ = their 95 % CIs overlap, no difference measured)\n");
}

void print_interpreters(const ResultsDocument& doc, std::FILE* out) {
  if (doc.runs.empty() || doc.runs.front().interpreter_layout != "own-gil") return;
  for (const python::InterpreterRecord& i : doc.runs.front().interpreters) {
    fmt::print(out, "interpreter {:>3} on {:<10} start-up {:>8.1f} ms · RSS {:+.1f} MiB\n", i.interpreter_id, i.thread,
               i.startup_ms, static_cast<double>(i.memory_kb) / 1024.0);
  }
  for (const RouteRecord& r : doc.routes) {
    if (r.interpreter.rfind("main (fallback", 0) == 0) fmt::print(out, "route {} {} runs in the {}\n", r.method, r.path, r.interpreter);
  }
}

void print_call_floor(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  bool header = false;
  for (const ConfigurationAggregate& a : aggregates) {
    if (!a.call_floor) continue;
    if (!header) {
      fmt::print(out, "attach + call + detach floor, measured in each run's process after its requests:\n");
      fmt::print(out, "  {:<24} {:>12} {:>10} {:>14}\n", "config", "total p50", "floor", "total / floor");
      header = true;
    }
    fmt::print(out, "  {:<24} {:>12} {:>10} {:>13.2f}x\n", a.config, format_ns(a.call_floor->total_p50),
               format_ns(a.call_floor->floor), a.call_floor->ratio);
  }
}

}  // namespace fb::harness
