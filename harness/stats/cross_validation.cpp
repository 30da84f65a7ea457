#include "harness/stats/cross_validation.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "harness/stats/aggregate.h"

namespace fb::harness {

double agreement_tolerance_ns(double inproc_ns) { return std::max(kAgreeRelative * std::fabs(inproc_ns), kAgreeAbsoluteNs); }

bool backends_agree(double inproc_ns, double ebpf_ns) {
  return std::fabs(ebpf_ns - inproc_ns) <= agreement_tolerance_ns(inproc_ns);
}

std::array<double, probes::kStageCount> probe_hits_in_stages(std::uint32_t present, std::uint32_t points) {
  // Hits whose probe lies inside the stage's span, per the table in the header.
  constexpr std::array<double, probes::kStageCount> kFixed = {
      /* route */ 1, /* dispatch */ 1, /* gil */ 1, /* marshal */ 2, /* handler */ 1, /* future */ 2,
      /* other */ 0, /* total */ 0};
  std::array<double, probes::kStageCount> hits{};
  double fixed = 0;
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    if (!fb_stage_in_total(static_cast<int>(s)) || (present & (1u << s)) == 0) continue;
    hits[s] = kFixed[s];
    fixed += kFixed[s];
  }
  const double total = points > 0 ? static_cast<double>(points) - 1 : 0;
  hits[FB_STAGE_TOTAL] = total;
  hits[FB_STAGE_OTHER] = total - fixed;
  return hits;
}

std::array<double, probes::kStageCount> mean_probe_hits(const std::vector<probes::EbpfRecord>& records) {
  if (records.empty()) {  // the executor path: all 14 points, every stage present
    return probe_hits_in_stages((1u << probes::kStageCount) - 1, probes::kPointCount);
  }
  std::array<double, probes::kStageCount> sum{};
  std::array<std::uint64_t, probes::kStageCount> n{};
  for (const probes::EbpfRecord& r : records) {
    const auto hits = probe_hits_in_stages(r.present, r.points);
    for (std::size_t s = 0; s < probes::kStageCount; ++s) {
      if ((r.present & (1u << s)) == 0) continue;
      sum[s] += hits[s];
      ++n[s];
    }
  }
  std::array<double, probes::kStageCount> mean{};
  for (std::size_t s = 0; s < probes::kStageCount; ++s) mean[s] = n[s] == 0 ? 0 : sum[s] / static_cast<double>(n[s]);
  return mean;
}

std::array<PointSkew, probes::kPointCount> point_skew(const std::vector<probes::EbpfRecord>& records,
                                                      double ns_per_tick) {
  std::array<PointSkew, probes::kPointCount> out{};
  std::vector<double> skews;
  skews.reserve(records.size());
  for (std::size_t p = 0; p < probes::kPointCount; ++p) {
    skews.clear();
    for (const probes::EbpfRecord& r : records) {
      if (r.ts[p] == 0 || r.ts[FB_POINT_ARRIVE] == 0) continue;
      // Differences first: the two clocks have different origins, and ticks are not ns.
      const double ebpf_ns = static_cast<double>(static_cast<std::int64_t>(r.ts[p] - r.ts[FB_POINT_ARRIVE]));
      const double inproc_ns =
          static_cast<double>(static_cast<std::int64_t>(r.ticks[p] - r.ticks[FB_POINT_ARRIVE])) * ns_per_tick;
      skews.push_back(ebpf_ns - inproc_ns);
    }
    if (skews.empty()) continue;
    std::sort(skews.begin(), skews.end());
    out[p] = {skews.size(), quantile_sorted(skews, 0.25), quantile_sorted(skews, 0.5), quantile_sorted(skews, 0.75)};
  }
  return out;
}

std::vector<CrossValidationRow> cross_validate(const probes::InprocRecorder& unsampled,
                                               const probes::InprocRecorder& inproc_sampled,
                                               const std::vector<SampledRequest>& sampled,
                                               const probes::EbpfSnapshot& ebpf, double point_cost_ns) {
  std::unordered_map<std::uint64_t, const probes::EbpfRecord*> by_id;
  by_id.reserve(ebpf.records.size());
  for (const probes::EbpfRecord& r : ebpf.records) by_id.emplace(r.request_id, &r);
  const auto hits = mean_probe_hits(ebpf.records);

  std::vector<CrossValidationRow> rows;
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    const probes::Histogram& in = inproc_sampled.stage(stage);
    const probes::Histogram& eb = ebpf.stages[s];
    if (in.count() == 0 && eb.count() == 0) continue;
    CrossValidationRow row;
    row.stage = stage;
    row.inproc_count = in.count();
    row.ebpf_count = eb.count();
    row.probe_hits = hits[s];
    row.probe_ns = hits[s] * point_cost_ns;
    row.inproc_p50_raw_ns = static_cast<double>(in.value_at_percentile(50));
    row.ebpf_p50_raw_ns = static_cast<double>(eb.value_at_percentile(50));
    row.inproc_p50_ns = row.inproc_p50_raw_ns - row.probe_ns;
    row.ebpf_p50_ns = row.ebpf_p50_raw_ns - row.probe_ns;

    std::vector<double> diffs;
    for (const SampledRequest& req : sampled) {
      if (!req.latencies.present[s]) continue;
      auto it = by_id.find(req.request_id);
      if (it == by_id.end() || (it->second->present & (1u << s)) == 0) continue;
      diffs.push_back(static_cast<double>(it->second->ns[s] - req.latencies.ns[s]));
    }
    row.matched = diffs.size();
    row.paired_median_diff_ns = median(std::move(diffs));

    row.stage_p50_ns = static_cast<double>(unsampled.stage(stage).value_at_percentile(50));
    row.tolerance_ns = agreement_tolerance_ns(row.inproc_p50_ns);
    row.checked = in.count() > 0 && eb.count() > 0 && row.stage_p50_ns >= kCheckedFromNs;
    row.agree = in.count() > 0 && eb.count() > 0 && backends_agree(row.inproc_p50_ns, row.ebpf_p50_ns);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace fb::harness
