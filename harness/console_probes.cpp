#include "harness/console_probes.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/stats/aggregate.h"
#include "harness/units.h"
#include "probes/ebpf_backend.h"
#include "probes/stage_names.h"

namespace fb::harness {
namespace {

using nlohmann::json;

// Median over runs of get(run) (the console shows medians over repetitions, as the stage table).
double median_over(const std::vector<const json*>& runs, const std::function<double(const json&)>& get) {
  std::vector<double> v;
  for (const json* r : runs) v.push_back(get(*r));
  return median(v);
}

std::string signed_pct(double a, double b) { return b == 0 ? "-" : fmt::format("{:+.1f} %", 100.0 * (a - b) / b); }

void print_ebpf(const std::string& config, const std::vector<const json*>& runs, std::FILE* out) {
  const json& first = runs.front()->at("probes");
  const json& e0 = first.at("ebpf");
  auto num = [](const json& j) { return j.is_null() ? 0.0 : j.get<double>(); };
  const double sampled = median_over(runs, [](const json& r) { return r.at("probes").at("sampled_requests").get<double>(); });
  const double seen = median_over(runs, [](const json& r) { return r.at("probes").at("ebpf").at("requests").get<double>(); });
  const double hits = median_over(runs, [](const json& r) { return r.at("probes").at("ebpf").at("usdt_hits").get<double>(); });
  const double lost = median_over(runs, [](const json& r) { return r.at("probes").at("ebpf").at("ring_drops").get<double>(); });
  fmt::print(out, "\n-- eBPF probes: {} · 1 in {} requests sampled: {} sampled, {} seen by the kernel, {} USDT hits, {} records lost\n",
             config, first.at("sample").get<std::int64_t>(), format_count(sampled), format_count(seen), format_count(hits),
             format_count(lost));
  const json& cal = e0.at("calibration");
  const json& over = first.at("overhead");
  fmt::print(out, "probe hit {}, prime {} (a sampled stage point costs {} attached vs {} detached) · overhead {} per "
                  "request (USDT {}, scheduler programs {})\n",
             format_ns(cal.at("hit_ns").get<double>()), format_ns(cal.at("prime_ns").get<double>()),
             format_ns(cal.at("attached_ns_per_point").get<double>()), format_ns(cal.at("detached_ns_per_point").get<double>()),
             format_ns(median_over(runs, [](const json& r) { return r.at("probes").at("overhead_ns_per_request").get<double>(); })),
             format_ns(num(over.at("usdt_ns_per_request"))),
             over.at("sched_ns_per_request").is_null() ? std::string("not accounted") : format_ns(num(over.at("sched_ns_per_request"))));
  fmt::print(out, "{:<9}{:>9}{:>11}{:>11}{:>11}{:>11}{:>8}{:>11}\n", "stage", "count", "eBPF p50", "mean", "on-CPU", "off-CPU",
             "off %", "probes");
  for (std::string_view name : probes::kStageNames) {
    const std::string stage(name);
    auto get = [&](const char* block, const char* key) {
      return median_over(runs, [&](const json& r) { return r.at("probes").at("ebpf").at(block).at(stage).at(key).get<double>(); });
    };
    const double count = get("stages", "count");
    if (count == 0) {
      fmt::print(out, "{:<9}{:>9}{:>11}\n", stage, "0", "-");
      continue;
    }
    fmt::print(out, "{:<9}{:>9}{:>11}{:>11}{:>11}{:>11}{:>8}{:>11}\n", stage, format_count(count), format_ns(get("stages", "p50_ns")),
               format_ns(get("stages", "mean_ns")), format_ns(get("offcpu", "on_cpu_ns")), format_ns(get("offcpu", "off_cpu_ns")),
               fmt::format("{:.1f} %", 100.0 * get("offcpu", "off_cpu_share")), format_ns(get("offcpu", "probe_ns")));
  }
  std::string wake;
  for (std::string_view role : probes::kWakeupRoleNames) {
    const std::string r(role);
    const double n = median_over(runs, [&](const json& x) { return x.at("probes").at("ebpf").at("wakeup").at(r).at("count").get<double>(); });
    if (n == 0) continue;
    auto q = [&](const char* key) {
      return median_over(runs, [&](const json& x) { return x.at("probes").at("ebpf").at("wakeup").at(r).at(key).get<double>(); });
    };
    wake += fmt::format("{}{}s p50 {} p99 {} ({} wake-ups)", wake.empty() ? "" : " · ", r, format_ns(q("p50_ns")),
                        format_ns(q("p99_ns")), format_count(n));
  }
  fmt::print(out, "wake-up to run: {}\n", wake.empty() ? "no wake-ups seen" : wake);
  fmt::print(out, "(mean on-/off-CPU time per sampled request; `probes` = sampled points inside the stage x their cost, part of on-CPU)\n");

  if (!first.contains("cross_validation")) return;
  fmt::print(out, "cross-validation on the same sampled requests, probe cost subtracted (agree: within 10 % or 200 ns; "
                  "checked where the unsampled p50 is >= 1 µs):\n");
  fmt::print(out, "{:<9}{:>12}{:>11}{:>9}{:>13}{:>8}\n", "stage", "in-proc p50", "eBPF p50", "diff", "paired diff", "agree");
  for (std::string_view name : probes::kStageNames) {
    const std::string stage(name);
    if (!first.at("cross_validation").contains(stage)) continue;
    auto get = [&](const char* key) {
      return median_over(runs, [&](const json& r) { return r.at("probes").at("cross_validation").at(stage).at(key).get<double>(); });
    };
    bool checked = true, agree = true;
    for (const json* r : runs) {
      const json& row = r->at("probes").at("cross_validation").at(stage);
      checked = checked && row.at("checked").get<bool>();
      agree = agree && row.at("agree").get<bool>();
    }
    const double in = get("inproc_p50_ns"), eb = get("ebpf_p50_ns");
    fmt::print(out, "{:<9}{:>12}{:>11}{:>9}{:>13}{:>8}\n", stage, format_ns(in), format_ns(eb), signed_pct(eb, in),
               fmt::format("{:+.0f} ns", get("paired_median_diff_ns")), !checked ? "(n/a)" : agree ? "yes" : "NO");
  }
  // A stage far below the probes' cost inside it: the subtraction's few-% calibration error
  // outweighs the stage, so its corrected p50s can go negative; its paired difference still
  // compares the two clocks.
  for (std::string_view name : probes::kStageNames) {
    const std::string stage(name);
    if (!first.at("cross_validation").contains(stage)) continue;
    const json& row = first.at("cross_validation").at(stage);
    if (row.at("inproc_p50_ns").get<double>() >= 0 && row.at("ebpf_p50_ns").get<double>() >= 0) continue;
    fmt::print(out, "negative p50s: the probe cost subtracted exceeds the stage (e.g. {}: {} of probes in a raw {}), "
                    "which is below the calibration's resolution; read the paired diff there\n",
               stage, format_ns(row.at("probe_ns").get<double>()), format_ns(row.at("inproc_p50_raw_ns").get<double>()));
    break;
  }
  // The point whose probe timestamp drifts furthest from its in-process stamp (relative to
  // arrive): the bound on how far the eBPF clock can misplace a stage boundary.
  std::string worst;
  double worst_p50 = 0;
  for (std::string_view name : probes::kPointNames) {
    const std::string point(name);
    const json& skew = e0.at("point_skew").at(point);
    if (skew.at("count").get<double>() == 0) continue;
    const double p50 = median_over(runs, [&](const json& r) {
      return r.at("probes").at("ebpf").at("point_skew").at(point).at("p50_ns").get<double>();
    });
    if (worst.empty() || std::fabs(p50) > std::fabs(worst_p50)) {
      worst = point;
      worst_p50 = p50;
    }
  }
  if (!worst.empty()) {
    fmt::print(out, "probe timestamp skew (eBPF minus in-process stamp, relative to arrive; p50): largest at {}: {:+.0f} ns\n",
               worst, worst_p50);
  }
}

}  // namespace

void print_probe_sections(const json& doc, std::FILE* out) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> attached, all;
  std::string unavailable;
  for (const json& r : doc.at("runs")) {
    if (!r.contains("probes")) continue;
    const std::string config = r.at("config").get<std::string>();
    if (!all.contains(config)) order.push_back(config);
    all[config].push_back(&r);
    if (r.at("probes").contains("ebpf")) attached[config].push_back(&r);
    if (r.at("probes").contains("ebpf_unavailable")) unavailable = r.at("probes").at("ebpf_unavailable").get<std::string>();
  }
  if (!unavailable.empty()) fmt::print(out, "\neBPF probes not running: {}; the in-process backend measured alone\n", unavailable);
  for (const std::string& config : order) {
    if (attached.contains(config)) print_ebpf(config, attached[config], out);
  }
  // --probe-ab: "<config>/ebpf" runs against "<config>" runs.
  for (const std::string& config : order) {
    const std::string base = config.size() > 5 && config.ends_with("/ebpf") ? config.substr(0, config.size() - 5) : "";
    if (base.empty() || !all.contains(base)) continue;
    // Over every request, sampled ones included: the overhead the whole load pays.
    auto total_p50s = [](const std::vector<const json*>& runs) {
      std::vector<double> v;
      for (const json* r : runs) v.push_back(r->at("probes").at("all_requests_total").at("p50_ns").get<double>());
      return aggregate(v);
    };
    const Aggregate with = total_p50s(all[config]), without = total_p50s(all[base]);
    fmt::print(out, "\neBPF attached vs detached, total p50 of all requests (medians over {} + {} interleaved repetitions): "
                    "{} (spread {:.1f} %) vs {} (spread {:.1f} %): {}\n",
               all[config].size(), all[base].size(), format_ns(with.median), with.spread_pct, format_ns(without.median),
               without.spread_pct, signed_pct(with.median, without.median));
  }
}

}  // namespace fb::harness
