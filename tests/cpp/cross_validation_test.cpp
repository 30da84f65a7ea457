// The cross-validation rules, against hand-computed values.
#include "harness/stats/cross_validation.h"

#include <gtest/gtest.h>

namespace fb::harness {
namespace {

constexpr std::uint32_t kAllStages = (1u << probes::kStageCount) - 1;

TEST(CrossValidation, ToleranceIsTenPercentOr200NsWhicheverIsLarger) {
  EXPECT_DOUBLE_EQ(agreement_tolerance_ns(1'000), 200);   // 10 % = 100 < 200
  EXPECT_DOUBLE_EQ(agreement_tolerance_ns(2'000), 200);   // 10 % = 200
  EXPECT_DOUBLE_EQ(agreement_tolerance_ns(5'000), 500);
  EXPECT_DOUBLE_EQ(agreement_tolerance_ns(-5'000), 500);  // a corrected p50 can go negative
  EXPECT_TRUE(backends_agree(5'000, 5'500));
  EXPECT_TRUE(backends_agree(5'000, 4'500));
  EXPECT_FALSE(backends_agree(5'000, 5'501));
  EXPECT_TRUE(backends_agree(1'000, 1'200));
  EXPECT_FALSE(backends_agree(1'000, 1'201));
}

// Executor path: 14 points, 13 sampled points before response_ready; route 1, dispatch 1, gil 1,
// marshal 2, handler 1, future 2 -> other 13 - 8 = 5.
TEST(CrossValidation, ProbeHitsOnTheExecutorPath) {
  const auto hits = probe_hits_in_stages(kAllStages, 14);
  EXPECT_EQ(hits[FB_STAGE_ROUTE], 1);
  EXPECT_EQ(hits[FB_STAGE_DISPATCH], 1);
  EXPECT_EQ(hits[FB_STAGE_GIL], 1);
  EXPECT_EQ(hits[FB_STAGE_MARSHAL], 2);
  EXPECT_EQ(hits[FB_STAGE_HANDLER], 1);
  EXPECT_EQ(hits[FB_STAGE_FUTURE], 2);
  EXPECT_EQ(hits[FB_STAGE_TOTAL], 13);
  EXPECT_EQ(hits[FB_STAGE_OTHER], 5);
}

// A path without dispatch and future (e.g. a direct call: 8 points): total 7, other 7 - 5 = 2.
TEST(CrossValidation, ProbeHitsWithoutDispatchOrFuture) {
  const std::uint32_t present = kAllStages & ~(1u << FB_STAGE_DISPATCH) & ~(1u << FB_STAGE_FUTURE);
  const auto hits = probe_hits_in_stages(present, 8);
  EXPECT_EQ(hits[FB_STAGE_DISPATCH], 0);
  EXPECT_EQ(hits[FB_STAGE_FUTURE], 0);
  EXPECT_EQ(hits[FB_STAGE_TOTAL], 7);
  EXPECT_EQ(hits[FB_STAGE_OTHER], 2);
}

TEST(CrossValidation, MeanProbeHitsOverRecords) {
  probes::EbpfRecord full, direct;
  full.present = kAllStages;
  full.points = 14;
  direct.present = kAllStages & ~(1u << FB_STAGE_DISPATCH) & ~(1u << FB_STAGE_FUTURE);
  direct.points = 8;
  const auto mean = mean_probe_hits({full, direct});
  EXPECT_DOUBLE_EQ(mean[FB_STAGE_TOTAL], 10);    // (13 + 7) / 2
  EXPECT_DOUBLE_EQ(mean[FB_STAGE_DISPATCH], 1);  // only the record that went through it
  EXPECT_DOUBLE_EQ(mean[FB_STAGE_OTHER], 3.5);   // (5 + 2) / 2
  EXPECT_EQ(mean_probe_hits({})[FB_STAGE_TOTAL], 13);
}

// Point skew: differences of each clock against its own stamp at arrive, so the clocks' origins
// and the tick rate do not matter; ticks are converted with ns_per_tick.
TEST(CrossValidation, PointSkewComparesEachClockFromArrive) {
  std::vector<probes::EbpfRecord> records(3);
  const std::int64_t dequeue_skews[] = {100, 300, 500};
  for (std::size_t i = 0; i < records.size(); ++i) {
    probes::EbpfRecord& r = records[i];
    r.ts[FB_POINT_ARRIVE] = 1'000'000'000;       // eBPF ns
    r.ticks[FB_POINT_ARRIVE] = 7'000;            // in-process ticks, 0.5 ns each
    r.ticks[FB_POINT_DEQUEUE] = 7'000 + 20'000;  // 10 µs later
    r.ts[FB_POINT_DEQUEUE] = 1'000'000'000 + 10'000 + static_cast<std::uint64_t>(dequeue_skews[i]);
  }
  records[2].ts[FB_POINT_ROUTE_MATCHED] = 1'000'000'000 + 950;  // one record: 950 ns on eBPF,
  records[2].ticks[FB_POINT_ROUTE_MATCHED] = 7'000 + 2'200;      // 1.1 µs in-process -> -150 ns
  const auto skew = point_skew(records, 0.5);
  EXPECT_EQ(skew[FB_POINT_ARRIVE].count, 3u);
  EXPECT_DOUBLE_EQ(skew[FB_POINT_ARRIVE].p50_ns, 0);
  EXPECT_EQ(skew[FB_POINT_DEQUEUE].count, 3u);
  EXPECT_DOUBLE_EQ(skew[FB_POINT_DEQUEUE].p25_ns, 100);
  EXPECT_DOUBLE_EQ(skew[FB_POINT_DEQUEUE].p50_ns, 300);
  EXPECT_DOUBLE_EQ(skew[FB_POINT_DEQUEUE].p75_ns, 500);
  EXPECT_EQ(skew[FB_POINT_ROUTE_MATCHED].count, 1u);
  EXPECT_DOUBLE_EQ(skew[FB_POINT_ROUTE_MATCHED].p50_ns, -150);
  EXPECT_EQ(skew[FB_POINT_HANDLER_CALL].count, 0u);  // reached by no record
}

// Two sampled requests seen by both backends; eBPF reads 100 ns more in dispatch on each.
TEST(CrossValidation, RowsComparePairedRequests) {
  probes::InprocRecorder unsampled, sampled;
  std::vector<SampledRequest> requests;
  probes::EbpfSnapshot ebpf;
  for (std::uint64_t id : {1u, 2u}) {
    probes::StageLatencies l;
    l.present.fill(true);
    l.ns.fill(0);
    l.ns[FB_STAGE_DISPATCH] = 6'000;
    l.ns[FB_STAGE_TOTAL] = 20'000;
    l.ns[FB_STAGE_OTHER] = 14'000;
    sampled.record(l);
    requests.push_back({id, l});
    probes::EbpfRecord r;
    r.request_id = id;
    r.present = kAllStages;
    r.points = 14;
    r.ns[FB_STAGE_DISPATCH] = 6'100;
    r.ns[FB_STAGE_TOTAL] = 20'000;
    r.ns[FB_STAGE_OTHER] = 13'900;
    ebpf.records.push_back(r);
    for (std::size_t s = 0; s < probes::kStageCount; ++s) ebpf.stages[s].record(static_cast<std::uint64_t>(r.ns[s]));
  }
  probes::StageLatencies typical;
  typical.present.fill(true);
  typical.ns[FB_STAGE_DISPATCH] = 4'000;
  typical.ns[FB_STAGE_TOTAL] = 9'000;
  unsampled.record(typical);

  const auto rows = cross_validate(unsampled, sampled, requests, ebpf, 1'000);
  const auto& dispatch = rows.at(FB_STAGE_DISPATCH);
  EXPECT_EQ(dispatch.stage, FB_STAGE_DISPATCH);
  EXPECT_EQ(dispatch.matched, 2u);
  EXPECT_DOUBLE_EQ(dispatch.probe_hits, 1);
  EXPECT_DOUBLE_EQ(dispatch.inproc_p50_ns, 6'000 - 1'000);
  EXPECT_NEAR(dispatch.ebpf_p50_ns, 6'100 - 1'000, 6'100 * 0.01);  // bucket resolution
  EXPECT_DOUBLE_EQ(dispatch.paired_median_diff_ns, 100);
  EXPECT_DOUBLE_EQ(dispatch.stage_p50_ns, 4'000);
  EXPECT_TRUE(dispatch.checked);
  EXPECT_TRUE(dispatch.agree);
  const auto& route = rows.at(FB_STAGE_ROUTE);  // 0 ns in the unsampled requests: not checked
  EXPECT_FALSE(route.checked);
}

}  // namespace
}  // namespace fb::harness
