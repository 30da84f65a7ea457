#include "harness/console/probes.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/probes/probe_figures.h"
#include "harness/stats/aggregate.h"
#include "harness/text/units.h"
#include "probes/ebpf_backend.h"
#include "probes/stage_names.h"

namespace fb::harness {
namespace {

using Runs = std::vector<const RunRecord*>;

// Median over runs of get(run) (the console shows medians over repetitions, as the stage table).
double median_over(const Runs& runs, const std::function<double(const RunRecord&)>& get) {
  std::vector<double> v;
  for (const RunRecord* r : runs) v.push_back(get(*r));
  return median(v);
}

std::string signed_pct(double a, double b) { return b == 0 ? "-" : fmt::format("{:+.1f} %", 100.0 * (a - b) / b); }

const CrossValidationRow* row_of(const RunRecord& run, fb_stage stage) {
  for (const CrossValidationRow& row : run.cross_validation) {
    if (row.stage == stage) return &row;
  }
  return nullptr;
}

void print_stage_view(const Runs& runs, std::FILE* out) {
  fmt::print(out, "{:<9}{:>9}{:>11}{:>11}{:>11}{:>11}{:>8}{:>11}\n", "stage", "count", "eBPF p50", "mean", "on-CPU", "off-CPU",
             "off %", "probes");
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    auto get = [&](double EbpfStageFigures::*field) {
      return median_over(runs, [&](const RunRecord& r) { return ebpf_stage_figures(*r.ebpf, stage).*field; });
    };
    const double count = median_over(runs, [&](const RunRecord& r) { return static_cast<double>(r.ebpf->snapshot.stages[s].count()); });
    if (count == 0) {
      fmt::print(out, "{:<9}{:>9}{:>11}\n", probes::kStageNames[s], "0", "-");
      continue;
    }
    fmt::print(out, "{:<9}{:>9}{:>11}{:>11}{:>11}{:>11}{:>8}{:>11}\n", probes::kStageNames[s], format_count(count),
               format_ns(get(&EbpfStageFigures::p50_ns)), format_ns(get(&EbpfStageFigures::mean_ns)),
               format_ns(get(&EbpfStageFigures::on_cpu_ns)), format_ns(get(&EbpfStageFigures::off_cpu_ns)),
               fmt::format("{:.1f} %", 100.0 * get(&EbpfStageFigures::off_cpu_share)), format_ns(get(&EbpfStageFigures::probe_ns)));
  }
  std::string wake;
  for (std::size_t role = 0; role < probes::kWakeupRoleCount; ++role) {
    const double n = median_over(runs, [&](const RunRecord& r) { return static_cast<double>(r.ebpf->snapshot.wakeup[role].count()); });
    if (n == 0) continue;
    auto q = [&](double percentile) {
      return median_over(runs, [&](const RunRecord& r) {
        return static_cast<double>(r.ebpf->snapshot.wakeup[role].value_at_percentile(percentile));
      });
    };
    wake += fmt::format("{}{}s p50 {} p99 {} ({} wake-ups)", wake.empty() ? "" : " · ", probes::kWakeupRoleNames[role],
                        format_ns(q(50)), format_ns(q(99)), format_count(n));
  }
  fmt::print(out, "wake-up to run: {}\n", wake.empty() ? "no wake-ups seen" : wake);
  fmt::print(out, "(mean on-/off-CPU time per sampled request; `probes` = sampled points inside the stage x their cost, part of on-CPU)\n");
}

void print_cross_validation(const Runs& runs, std::FILE* out) {
  if (runs.front()->cross_validation.empty()) return;
  fmt::print(out, "cross-validation on the same sampled requests, probe cost subtracted (agree: within 10 % or 200 ns; "
                  "checked where the unsampled p50 is >= 1 µs):\n");
  fmt::print(out, "{:<9}{:>12}{:>11}{:>9}{:>13}{:>8}\n", "stage", "in-proc p50", "eBPF p50", "diff", "paired diff", "agree");
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    if (row_of(*runs.front(), stage) == nullptr) continue;
    auto get = [&](double CrossValidationRow::*field) {
      return median_over(runs, [&](const RunRecord& r) { return row_of(r, stage)->*field; });
    };
    bool checked = true, agree = true;
    for (const RunRecord* r : runs) {
      checked = checked && row_of(*r, stage)->checked;
      agree = agree && row_of(*r, stage)->agree;
    }
    const double in = get(&CrossValidationRow::inproc_p50_ns), eb = get(&CrossValidationRow::ebpf_p50_ns);
    fmt::print(out, "{:<9}{:>12}{:>11}{:>9}{:>13}{:>8}\n", probes::kStageNames[s], format_ns(in), format_ns(eb),
               signed_pct(eb, in), fmt::format("{:+.0f} ns", get(&CrossValidationRow::paired_median_diff_ns)),
               !checked ? "(n/a)" : agree ? "yes" : "NO");
  }
  // A stage far below the probes' cost inside it: the subtraction's few-% calibration error
  // outweighs the stage, so its corrected p50s can go negative; its paired difference still
  // compares the two clocks.
  for (const CrossValidationRow& row : runs.front()->cross_validation) {
    if (row.inproc_p50_ns >= 0 && row.ebpf_p50_ns >= 0) continue;
    fmt::print(out, "negative p50s: the probe cost subtracted exceeds the stage (e.g. {}: {} of probes in a raw {}), "
                    "which is below the calibration's resolution; read the paired diff there\n",
               probes::stage_name(row.stage), format_ns(row.probe_ns), format_ns(row.inproc_p50_raw_ns));
    break;
  }
}

// The point whose probe timestamp drifts furthest from its in-process stamp (relative to
// arrive): the bound on how far the eBPF clock can misplace a stage boundary.
void print_worst_skew(const Runs& runs, std::FILE* out) {
  std::string worst;
  double worst_p50 = 0;
  for (std::size_t p = 0; p < probes::kPointCount; ++p) {
    if (runs.front()->ebpf->point_skew[p].count == 0) continue;
    const double p50 = median_over(runs, [&](const RunRecord& r) { return r.ebpf->point_skew[p].p50_ns; });
    if (worst.empty() || std::fabs(p50) > std::fabs(worst_p50)) {
      worst = probes::kPointNames[p];
      worst_p50 = p50;
    }
  }
  if (!worst.empty()) {
    fmt::print(out, "probe timestamp skew (eBPF minus in-process stamp, relative to arrive; p50): largest at {}: {:+.0f} ns\n",
               worst, worst_p50);
  }
}

void print_ebpf(const std::string& config, const Runs& runs, std::FILE* out) {
  const RunRecord& first = *runs.front();
  const EbpfRunRecord& e0 = *first.ebpf;
  auto snap = [&](auto get) { return median_over(runs, [&](const RunRecord& r) { return static_cast<double>(get(r.ebpf->snapshot)); }); };
  const double sampled = median_over(runs, [](const RunRecord& r) { return static_cast<double>(r.load.sampled_requests); });
  fmt::print(out, "\n-- eBPF probes: {} · 1 in {} requests sampled: {} sampled, {} seen by the kernel, {} USDT hits, {} records lost\n",
             config, first.probe_sample, format_count(sampled),
             format_count(snap([](const probes::EbpfSnapshot& s) { return s.requests; })),
             format_count(snap([](const probes::EbpfSnapshot& s) { return s.hits; })),
             format_count(snap([](const probes::EbpfSnapshot& s) { return s.ring_drops; })));
  const HitCostCalibration& cal = e0.calibration;
  fmt::print(out, "probe hit {}, prime {} (a sampled stage point costs {} attached vs {} detached) · overhead {} per "
                  "request (USDT {}, scheduler programs {})\n",
             format_ns(cal.hit_ns), format_ns(cal.prime_ns), format_ns(cal.attached_ns_per_point),
             format_ns(cal.detached_ns_per_point),
             format_ns(median_over(runs, [](const RunRecord& r) { return overhead_ns_per_request(r).value_or(0.0); })),
             format_ns(e0.usdt_ns_per_request),
             e0.sched_ns_per_request ? format_ns(*e0.sched_ns_per_request) : std::string("not accounted"));
  print_stage_view(runs, out);
  print_cross_validation(runs, out);
  print_worst_skew(runs, out);
}

}  // namespace

void print_probe_sections(const ResultsDocument& doc, std::FILE* out) {
  std::vector<std::string> order;
  std::map<std::string, Runs> attached, all;
  std::string unavailable;
  for (const RunRecord& r : doc.runs) {
    if (!all.contains(r.config)) order.push_back(r.config);
    all[r.config].push_back(&r);
    if (r.ebpf) attached[r.config].push_back(&r);
    if (!r.ebpf_unavailable.empty()) unavailable = r.ebpf_unavailable;
  }
  if (!unavailable.empty()) fmt::print(out, "\neBPF probes not running: {}; the in-process backend measured alone\n", unavailable);
  for (const std::string& config : order) {
    if (attached.contains(config)) print_ebpf(config, attached[config], out);
  }
  // --probe-ab: "<config>/ebpf" runs against "<config>" runs, over every request, sampled ones
  // included: the overhead the whole load pays.
  for (const std::string& config : order) {
    const std::string base = config.size() > 5 && config.ends_with("/ebpf") ? config.substr(0, config.size() - 5) : "";
    if (base.empty() || !all.contains(base)) continue;
    auto total_p50s = [](const Runs& runs) {
      std::vector<double> v;
      for (const RunRecord* r : runs) v.push_back(static_cast<double>(all_requests_total(r->load).value_at_percentile(50)));
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
