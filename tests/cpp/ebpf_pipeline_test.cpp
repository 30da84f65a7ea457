// The eBPF backend on real runs of the pipeline (ctest label `bpf`): measure_configuration with
// a ProbeSession, as `fasterbench run --probes both` does. Skips, with the reason, where the
// backend cannot run (no CAP_BPF/CAP_PERFMON, or a build without it).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "framework/options.h"
#include "harness/measure/measure.h"
#include "harness/probes/probe_session.h"
#include "harness/scenario/scenario.h"
#include "harness/measure/stamp_cost.h"
#include "probes/clock.h"
#include "python_test_env.h"

namespace fb::harness {
namespace {

// 20,000 requests, 1 in 10 sampled: 2,000 sampled requests, enough for stable p50s on a noisy
// 2-vCPU machine while the run stays under a few seconds.
constexpr std::int64_t kRequests = 20'000;
constexpr std::int64_t kSample = 10;

class EbpfPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    probes::calibrate_clock();
    stamp_cost_ = measure_stamp_cost_ns();
    if (std::string reason = probes::ebpf_unavailable_reason(); !reason.empty()) {
      skip_reason_ = reason;
      return;
    }
    ProbeSettings settings;
    settings.mode = ProbeMode::both;
    settings.sample = kSample;
    settings.require_ebpf = true;
    try {
      session_ = new ProbeSession(settings);
    } catch (const std::exception& e) {
      skip_reason_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete session_;
    session_ = nullptr;
  }
  void SetUp() override {
    if (session_ == nullptr) GTEST_SKIP() << "eBPF backend unavailable: " << skip_reason_;
  }

  static RunRecord run(const std::string& scenario_file, std::int64_t clients, std::int64_t workers) {
    const Scenario scenario = load_scenario(test::source_path(scenario_file));
    RunSettings load;
    load.requests = kRequests;
    load.warmup = 1'000;
    load.clients = clients;
    load.workers = workers;
    const LoadPlan plan(scenario, load);
    ConfigurationResult measured = measure_configuration(scenario, load, plan, stamp_cost_, false, session_);
    return std::move(measured.runs.at(0));
  }

  static void expect_exact_counts(const RunRecord& r) {
    const std::uint64_t sampled = (kRequests + kSample - 1) / kSample;  // tickets 0, N, 2N, ...
    EXPECT_EQ(r.load.requests, static_cast<std::uint64_t>(kRequests));
    EXPECT_EQ(r.load.sampled_requests, sampled);
    EXPECT_EQ(r.load.stages->stage(FB_STAGE_TOTAL).count(), kRequests - sampled);
    ASSERT_TRUE(r.ebpf.has_value());
    const probes::EbpfSnapshot& snap = r.ebpf->snapshot;
    EXPECT_EQ(snap.requests, sampled);
    EXPECT_EQ(snap.stages[FB_STAGE_TOTAL].count(), sampled);
    EXPECT_EQ(snap.hits, sampled * probes::kPointCount);  // every request takes the executor path
    EXPECT_EQ(snap.primes, sampled * probes::kPointCount);  // one before each point's stamp
    EXPECT_EQ(snap.missing_request, 0u);
    EXPECT_EQ(snap.ring_drops, 0u);
    std::set<std::uint64_t> inproc_ids, ebpf_ids;
    for (const SampledRequest& s : r.load.sampled) inproc_ids.insert(s.request_id);
    for (const probes::EbpfRecord& e : snap.records) ebpf_ids.insert(e.request_id);
    EXPECT_EQ(inproc_ids.size(), sampled);
    EXPECT_EQ(ebpf_ids, inproc_ids);
  }

  // Per stage: within 10 % or 200 ns, whichever is larger, where the stage is >= 1 µs.
  static void expect_agreement(const RunRecord& r, std::initializer_list<fb_stage> must_be_checked) {
    ASSERT_TRUE(r.ebpf.has_value());
    std::string skews;  // for the failure message: where the eBPF timestamps drift
    for (std::size_t p = 0; p < probes::kPointCount; ++p) {
      const PointSkew& k = r.ebpf->point_skew[p];
      skews += fmt::format(" {} {:+.0f}", probes::kPointNames[p], k.p50_ns);
    }
    std::set<fb_stage> checked;
    for (const CrossValidationRow& row : r.cross_validation) {
      if (!row.checked) continue;
      checked.insert(row.stage);
      EXPECT_TRUE(row.agree) << probes::stage_name(row.stage) << ": in-process p50 " << row.inproc_p50_ns
                             << " ns vs eBPF p50 " << row.ebpf_p50_ns << " ns (tolerance " << row.tolerance_ns
                             << " ns; raw " << row.inproc_p50_raw_ns << " vs " << row.ebpf_p50_raw_ns
                             << "; paired median difference " << row.paired_median_diff_ns << " ns; unsampled p50 "
                             << row.stage_p50_ns << " ns; point skew p50s:" << skews << ")";
      EXPECT_EQ(row.matched, row.inproc_count);
    }
    for (fb_stage s : must_be_checked) EXPECT_TRUE(checked.contains(s)) << probes::stage_name(s) << " was not checked";
  }

  static inline ProbeSession* session_ = nullptr;
  static inline std::string skip_reason_;
  static inline double stamp_cost_ = 0;
};

TEST_F(EbpfPipelineTest, HelloCountsExactlyTheSampledRequestsAndBackendsAgree) {
  const RunRecord r = run("scenarios/hello.toml", 1, 2);
  expect_exact_counts(r);
  expect_agreement(r, {FB_STAGE_DISPATCH, FB_STAGE_FUTURE, FB_STAGE_TOTAL});
}

TEST_F(EbpfPipelineTest, MixedCountsExactlyTheSampledRequestsAndBackendsAgree) {
  const RunRecord r = run("scenarios/mixed.toml", 2, 2);
  expect_exact_counts(r);
  expect_agreement(r, {FB_STAGE_DISPATCH, FB_STAGE_FUTURE, FB_STAGE_TOTAL});
}

// P0, one client, two workers: between requests the workers park on the queue's condition
// variable, so a request's dispatch includes a wake-up and the wait for a CPU, which only the
// scheduler programs see.
TEST_F(EbpfPipelineTest, OffCpuTimeShowsInDispatchWhenWorkersPark) {
  const RunRecord r = run("scenarios/hello.toml", 1, 2);
  ASSERT_TRUE(r.ebpf.has_value());
  const probes::EbpfSnapshot& snap = r.ebpf->snapshot;
  const double n = static_cast<double>(snap.stages[FB_STAGE_DISPATCH].count());
  ASSERT_GT(n, 0);
  const double off = static_cast<double>(snap.off_cpu_ns[FB_STAGE_DISPATCH]) / n;
  const double on = static_cast<double>(snap.on_cpu_ns[FB_STAGE_DISPATCH]) / n;
  EXPECT_GT(off, 0) << "no off-CPU time in dispatch";
  EXPECT_GT(off / (on + off), 0.2) << "dispatch off-CPU " << off << " ns vs on-CPU " << on << " ns per request";
  EXPECT_GT(snap.wakeup[0].count(), 0u) << "no worker wake-ups seen";
  // The handler of hello never blocks: its time is on-CPU.
  const double handler_off = static_cast<double>(snap.off_cpu_ns[FB_STAGE_HANDLER]);
  const double handler_on = static_cast<double>(snap.on_cpu_ns[FB_STAGE_HANDLER]);
  EXPECT_LT(handler_off, handler_on);
}

}  // namespace
}  // namespace fb::harness
