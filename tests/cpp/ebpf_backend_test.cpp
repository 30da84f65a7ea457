// The eBPF backend on its own (ctest label `bpf`): attach to this test process's USDT stage
// points, fire sampled and unsampled "requests" through stage_point, and check the kernel saw
// exactly the sampled ones. Skips, with the reason, where the backend cannot run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "framework/stage.h"
#include "probes/clock.h"
#include "probes/ebpf_backend.h"

namespace fb {
namespace {

constexpr fb_point kExecutorPath[] = {
    FB_POINT_ARRIVE,      FB_POINT_ROUTE_MATCHED,  FB_POINT_FUTURE_CREATE, FB_POINT_FUTURE_CREATED, FB_POINT_ENQUEUE,
    FB_POINT_DEQUEUE,     FB_POINT_GIL_REQUEST,    FB_POINT_GIL_ACQUIRED,  FB_POINT_HANDLER_CALL,   FB_POINT_HANDLER_RETURN,
    FB_POINT_MARSHAL_DONE, FB_POINT_FUTURE_SET,    FB_POINT_FUTURE_OBSERVED, FB_POINT_RESPONSE_READY};

void fire_request(StageTrace& trace, bool sampled, std::uint64_t id) {
  trace.clear();
  trace.sampled = sampled;
  trace.request_id = id;
  for (fb_point p : kExecutorPath) stage_point(trace, p);
}

class EbpfBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    probes::calibrate_clock();
    if (std::string reason = probes::ebpf_unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
    try {
      backend_ = std::make_unique<probes::EbpfBackend>();
    } catch (const probes::EbpfUnavailable& e) {
      GTEST_SKIP() << "eBPF backend unavailable: " << e.what();
    }
  }
  std::unique_ptr<probes::EbpfBackend> backend_;
};

TEST_F(EbpfBackendTest, CountsExactlyTheSampledRequests) {
  backend_->attach();
  backend_->clear();
  StageTrace trace;
  std::set<std::uint64_t> sampled_ids;
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    const bool sampled = i % 7 == 0;
    fire_request(trace, sampled, i);
    if (sampled) sampled_ids.insert(i);
  }
  const probes::EbpfSnapshot snap = backend_->collect();
  EXPECT_EQ(snap.requests, sampled_ids.size());
  EXPECT_EQ(snap.hits, sampled_ids.size() * probes::kPointCount);
  for (std::size_t p = 0; p < probes::kPointCount; ++p) EXPECT_EQ(snap.point_hits[p], sampled_ids.size()) << p;
  EXPECT_EQ(snap.missing_request, 0u);
  EXPECT_EQ(snap.ring_drops, 0u);
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {  // recv and send are the HTTP server's, never the kernel's
    EXPECT_EQ(snap.stages[s].count(), s < probes::kPipelineStageCount ? sampled_ids.size() : 0u) << probes::kStageNames[s];
  }
  std::set<std::uint64_t> seen;
  for (const probes::EbpfRecord& r : snap.records) {
    seen.insert(r.request_id);
    EXPECT_EQ(r.points, probes::kPointCount);
    EXPECT_EQ(r.present, (1u << probes::kPipelineStageCount) - 1);
    EXPECT_GT(r.ns[FB_STAGE_TOTAL], 0);
  }
  EXPECT_EQ(seen, sampled_ids);

  // The kernel's bucketing is probes/histogram.h's: the histograms rebuilt from its counts equal
  // histograms recorded in user space from the raw records' values.
  for (std::size_t s = 0; s < probes::kPipelineStageCount; ++s) {
    probes::Histogram from_records;
    for (const probes::EbpfRecord& r : snap.records) from_records.record(static_cast<std::uint64_t>(std::llabs(r.ns[s])));
    EXPECT_EQ(snap.stages[s].nonzero_buckets(), from_records.nonzero_buckets()) << probes::kStageNames[s];
    EXPECT_EQ(snap.stages[s].min(), from_records.min()) << probes::kStageNames[s];
    EXPECT_EQ(snap.stages[s].max(), from_records.max()) << probes::kStageNames[s];
  }
}

TEST_F(EbpfBackendTest, DetachedProbesCountNothing) {
  backend_->attach();
  backend_->detach();
  backend_->clear();
  StageTrace trace;
  for (std::uint64_t i = 1; i <= 100; ++i) fire_request(trace, true, i);
  const probes::EbpfSnapshot snap = backend_->collect();
  EXPECT_EQ(snap.hits, 0u);
  EXPECT_EQ(snap.requests, 0u);
  EXPECT_TRUE(snap.records.empty());
}

TEST_F(EbpfBackendTest, AttachRaisesSemaphoresAndDetachDropsThem) {
  EXPECT_EQ(fasterbench_arrive_semaphore, 0);
  backend_->attach();
  EXPECT_GT(fasterbench_arrive_semaphore, 0);
  EXPECT_GT(fasterbench_response_ready_semaphore, 0);
  backend_->detach();
  EXPECT_EQ(fasterbench_arrive_semaphore, 0);
}

}  // namespace
}  // namespace fb
