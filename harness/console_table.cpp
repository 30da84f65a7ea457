#include "harness/console_table.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "harness/results/instrumentation_tax.h"
#include "harness/stats/aggregate.h"
#include "harness/units.h"
#include "probes/stage_names.h"

namespace fb::harness {
namespace {

using nlohmann::json;

// Median over the config's repetitions of runs[].stages.<stage>.<metric>.
double median_of(const std::vector<const json*>& runs, const std::string& stage, const char* metric) {
  std::vector<double> v;
  for (const json* r : runs) v.push_back(r->at("stages").at(stage).at(metric).get<double>());
  return median(v);
}

// "allocations/request (C++ operator new): 2.02 = future 1.00 + marshal 1.00 + dispatch 0.02",
// medians over repetitions; nothing when allocations were not counted.
void print_allocations(const std::vector<const json*>& runs, std::FILE* out) {
  auto median_over_runs = [&](auto&& get) {
    std::vector<double> v;
    for (const json* r : runs) {
      const json& x = get(*r);
      if (!x.is_number()) return -1.0;
      v.push_back(x.get<double>());
    }
    return median(v);
  };
  const double total = median_over_runs([](const json& r) -> const json& { return r.at("allocations_per_request"); });
  if (total < 0) return;
  std::string parts;
  for (std::string_view name : probes::kStageNames) {
    const std::string stage(name);
    if (stage == "total") continue;
    const double n = median_over_runs([&](const json& r) -> const json& {
      return r.at("stages").at(stage).at("allocations_per_request");
    });
    if (n <= 0) continue;
    const std::string value = n >= 0.01 ? fmt::format("{:.2f}", n) : fmt::format("{:.1e}", n);  // never a bare "0.00"
    parts += fmt::format("{}{} {}", parts.empty() ? " = " : " + ", stage, value);
  }
  fmt::print(out, "allocations/request (C++ operator new only): {:.2f}{}\n", total, parts);
}

void print_config(const json& doc, const json& agg, std::FILE* out) {
  const std::string config = agg.at("config").get<std::string>();
  std::vector<const json*> runs;
  for (const json& r : doc.at("runs")) {
    if (r.at("config") == config) runs.push_back(&r);
  }
  std::string opts;
  for (const auto& o : agg.at("opts")) opts += (opts.empty() ? "" : ",") + o.get<std::string>();
  fmt::print(out, "\n== {} ({}) ==\n", config, opts.empty() ? "baseline" : opts);
  if (!agg.at("supported").get<bool>()) {
    fmt::print(out, "unsupported: {}\n", agg.at("unsupported_reason").get<std::string>());
    return;
  }
  std::vector<double> steal, errors;
  double demotions = 0;
  for (const json* r : runs) {
    steal.push_back(r->at("steal_pct").get<double>());
    errors.push_back(r->at("errors").get<double>());
    demotions += r->value("demotions", 0.0);
  }
  const json& tput = agg.at("throughput_rps");
  // One repetition has no spread to show: say so rather than print 0 %.
  const std::string tput_spread =
      runs.size() < 2 ? "no spread: 1 repetition" : fmt::format("spread {:.1f} %", tput.at("spread_pct").get<double>());
  fmt::print(out,
             "{} repetition(s) x {} requests · throughput {} req/s ({}) · errors {} · demotions {} · steal {:.1f} %\n",
             runs.size(), format_count(runs.front()->at("requests").get<double>()), format_count(tput.at("median").get<double>()),
             tput_spread, format_count(median(errors)), format_count(demotions), median(steal));
  print_allocations(runs, out);
  fmt::print(out, "{:<9}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>9}{:>8}\n", "stage", "count", "p50", "p90", "p99", "p99.9",
             "mean", "spread", "share");
  const double total_time = median_of(runs, "total", "mean_ns") * median_of(runs, "total", "count");
  const double total_count = median_of(runs, "total", "count");
  double sum_p50 = 0;
  std::string partial;  // stages only some requests went through (e.g. dispatch on the direct path)
  for (std::string_view name : probes::kStageNames) {
    const std::string stage(name);
    const double count = median_of(runs, stage, "count");
    const double p50 = median_of(runs, stage, "p50_ns");
    const double mean = median_of(runs, stage, "mean_ns");
    const json& p50_agg = agg.at("stages").at(stage).at("p50_ns");
    const std::string spread = runs.size() > 1 ? fmt::format("{:.1f} %", p50_agg.at("spread_pct").get<double>()) : "-";
    // recv and send (the HTTP front end) lie outside total: no share of it, not in the closure.
    const bool beside_total = stage == "recv" || stage == "send";
    const std::string share = stage == "total" || beside_total || total_time <= 0
                                  ? "" : fmt::format("{:.1f} %", 100.0 * mean * count / total_time);
    if (stage != "total" && stage != "other" && !beside_total) {
      if (count == total_count) {
        sum_p50 += p50;
      } else if (count > 0) {
        partial += fmt::format("{}{} ({} of {})", partial.empty() ? "" : ", ", stage, format_count(count),
                               format_count(total_count));
      }
    }
    fmt::print(out, "{:<9}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>9}{:>8}\n", stage, format_count(count),
               count == 0 ? "-" : format_ns(p50), count == 0 ? "-" : format_ns(median_of(runs, stage, "p90_ns")),
               count == 0 ? "-" : format_ns(median_of(runs, stage, "p99_ns")),
               count == 0 ? "-" : format_ns(median_of(runs, stage, "p999_ns")), count == 0 ? "-" : format_ns(mean), spread,
               share);
  }
  const double total_p50 = median_of(runs, "total", "p50_ns");
  const double other_p50 = median_of(runs, "other", "p50_ns");
  fmt::print(out, "closure: sum of stage p50s {} vs total p50 {}; other p50 {} ({:.1f} % of total)\n", format_ns(sum_p50),
             format_ns(total_p50), format_ns(other_p50), total_p50 > 0 ? 100.0 * other_p50 / total_p50 : 0.0);
  if (!partial.empty()) {
    fmt::print(out, "         (the sum leaves out stages only some requests went through: {})\n", partial);
  }
}

}  // namespace

void print_stage_tables(const json& doc, std::FILE* out) {
  const json& ctx = doc.at("context");
  fmt::print(out, "scenario {} ({}) · Python {} · clock {} ({:.1f} ns per stamp) · {} CPUs, {}\n",
             doc.at("scenario").at("name").get<std::string>(), doc.at("scenario").at("file").get<std::string>(),
             ctx.at("python").at("version").get<std::string>(), ctx.at("clock").at("source").get<std::string>(),
             ctx.at("clock").at("stamp_cost_ns").get<double>(), ctx.at("cpus").get<int>(),
             ctx.at("cpu_model").get<std::string>());
  fmt::print(out, "clients {} · workers {} · warm-up {} · seed {}\n", doc.at("config").at("clients").get<int>(),
             doc.at("config").at("workers").get<int>(), format_count(doc.at("config").at("warmup").get<double>()),
             doc.at("config").at("seed").get<std::uint64_t>());
  for (const json& agg : doc.at("aggregates")) print_config(doc, agg, out);
  fmt::print(out, "(times are medians over repetitions; spread = (max - min) / median of p50 across repetitions; "
                  "share = stage's part of all request time)\n");
}

void print_phase_summary(const json& doc, std::FILE* out) {
  const json& ctx = doc.at("context");
  fmt::print(out, "\nscenario {} · Python {} · {} CPUs · steal {:.1f} % · {} repetition(s) per configuration\n",
             doc.at("scenario").at("name").get<std::string>(), ctx.at("python").at("version").get<std::string>(),
             ctx.at("cpus").get<int>(), ctx.at("steal_pct").get<double>(), doc.at("config").at("repetitions").get<int>());
  fmt::print(out, "{:<22}{:>30}{:>9}{:>11}{:>11}{:>11}{:>11}{:>11}{:>10}{:>11}\n", "config", "total p50 [95% CI]", "spread",
             "p99", "dispatch", "gil", "future", "req/s", "step", "demotions");
  // step: total p50 vs the closest lower cumulative phase measured (P1 vs P0, ...); other
  // configurations have none. "~" marks a step whose two 95 % CIs overlap: no difference measured.
  struct PhaseTotal {
    double median, low, high;
  };
  std::map<std::string, PhaseTotal> phases;  // "P0".."P4" sort in phase order
  for (const json& agg : doc.at("aggregates")) {
    if (!agg.at("phase").is_string() || !agg.at("supported").get<bool>()) continue;
    const json& t = agg.at("stages").at("total").at("p50_ns");
    phases[agg.at("phase").get<std::string>()] = {t.at("median").get<double>(), t.at("ci_low").get<double>(),
                                                  t.at("ci_high").get<double>()};
  }
  for (const json& agg : doc.at("aggregates")) {
    const std::string config = agg.at("config").get<std::string>();
    if (config.ends_with(kEndsSuffix)) continue;  // in the instrumentation tax (console_noise.h)
    if (!agg.at("supported").get<bool>()) {
      fmt::print(out, "{:<22}unsupported: {}\n", config, agg.at("unsupported_reason").get<std::string>());
      continue;
    }
    const json& stages = agg.at("stages");
    const json& total = stages.at("total").at("p50_ns");
    const double median_total = total.at("median").get<double>();
    auto p50 = [&](const char* stage) {
      return stages.at(stage).at("count").at("median").get<double>() == 0
                 ? std::string("-")
                 : format_ns(stages.at(stage).at("p50_ns").at("median").get<double>());
    };
    const double low = total.at("ci_low").get<double>(), high = total.at("ci_high").get<double>();
    std::string step;
    if (agg.at("phase").is_string()) {
      const auto here = phases.find(agg.at("phase").get<std::string>());
      if (here != phases.begin() && here != phases.end()) {
        const PhaseTotal& before = std::prev(here)->second;
        const bool overlap = low <= before.high && before.low <= high;
        step = fmt::format("{}{:+.1f} %", overlap ? "~" : "", (median_total - before.median) / before.median * 100.0);
      }
    }
    double demotions = 0;  // summed over the configuration's repetitions
    for (const json& run : doc.at("runs")) {
      if (run.at("config") == config) demotions += run.value("demotions", 0.0);
    }
    fmt::print(out, "{:<22}{:>30}{:>9}{:>11}{:>11}{:>11}{:>11}{:>11}{:>10}{:>11}\n", config,
               fmt::format("{} [{}, {}]", format_ns(median_total), format_ns(low), format_ns(high)),
               fmt::format("{:.1f} %", total.at("spread_pct").get<double>()),
               format_ns(stages.at("total").at("p99_ns").at("median").get<double>()), p50("dispatch"), p50("gil"),
               p50("future"), format_count(agg.at("throughput_rps").at("median").get<double>()), step,
               format_count(demotions));
  }
  fmt::print(out, "(step: total p50 vs the phase before; ~ = their 95 % CIs overlap, no difference measured)\n");
}

void print_interpreters(const json& doc, std::FILE* out) {
  if (doc.at("runs").empty()) return;
  const json& run = doc.at("runs").front();
  if (run.value("interpreter_layout", "shared-gil") != "own-gil") return;
  for (const json& i : run.at("interpreters")) {
    fmt::print(out, "interpreter {:>3} on {:<10} start-up {:>8.1f} ms · RSS {:+.1f} MiB\n", i.at("interpreter_id").get<std::int64_t>(),
               i.at("thread").get<std::string>(), i.at("startup_ms").get<double>(),
               static_cast<double>(i.at("memory_kb").get<std::int64_t>()) / 1024.0);
  }
  const json& routes = doc.at("routes");
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const std::string where = routes[r].value("interpreter", "main");
    if (where.rfind("main (fallback", 0) == 0) {
      fmt::print(out, "route {} {} runs in the {}\n", routes[r].at("method").get<std::string>(),
                 routes[r].at("path").get<std::string>(), where);
    }
  }
}

}  // namespace fb::harness
