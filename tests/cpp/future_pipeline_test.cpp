// The completion slot in the real pipeline: --opt inline-future against the baseline heap
// future, with the counting operator new linked in, so the future stage's allocations are
// asserted: one per request for the heap future, none for the inline slot.
#include <gtest/gtest.h>

#include "concurrent_clients.h"
#include "framework/app.h"
#include "probes/alloc_counter.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"
#include "python_test_env.h"

namespace {

using fb::App;
using fb::AppConfig;
using fb::Request;
using fb::StageTrace;

AppConfig config(bool inline_future) {
  AppConfig c;
  c.python_path = fb::test::fixture_python_path();
  c.workers = 2;
  c.routes = {{"GET", "/hello", "fb_test_handlers:hello"}, {"GET", "/boom", "fb_test_handlers:boom"}};
  c.optimizations.inline_future = inline_future;
  return c;
}

using fb::test::get_request;

Request get(std::string_view path) { return get_request(path); }

// Per-stage allocations (all threads) per request over `n` requests to `path`.
fb::probes::AllocTotals allocations_for(App& app, int n, std::string_view path) {
  StageTrace t;
  for (int i = 0; i < 50; ++i) app.handle(get(path), t);  // warm-up: thread registration, capacities
  const Request request = get(path);
  const auto before = fb::probes::alloc_totals();
  for (int i = 0; i < n; ++i) {
    t.clear();
    app.handle(request, t);
  }
  return before.until(fb::probes::alloc_totals());
}

class FuturePipeline : public ::testing::TestWithParam<bool> {
 protected:
  static void SetUpTestSuite() { fb::probes::calibrate_clock(); }
};

TEST_P(FuturePipeline, ServesAndStampsEveryStage) {
  if (GetParam() && !fb::unavailable_reason(fb::Optimization::inline_future).empty()) GTEST_SKIP() << "compiled out";
  App app(config(GetParam()));
  StageTrace trace;
  const auto r = app.handle(get("/hello"), trace);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  const auto s = fb::probes::stage_latencies(trace.at, fb::probes::clock_calibration());
  for (std::size_t i = 0; i < fb::probes::kPipelineStageCount; ++i) EXPECT_TRUE(s.present[i]) << fb::probes::kStageNames[i];
  // The hand-off back from the worker takes time, and is part of the total.
  EXPECT_GT(s.ns[FB_STAGE_FUTURE], 0);
  EXPECT_LT(s.ns[FB_STAGE_FUTURE], s.ns[FB_STAGE_TOTAL]);
  trace.clear();
  EXPECT_EQ(app.handle(get("/boom"), trace).status, 500);
}

TEST_P(FuturePipeline, ManyConcurrentClients) {
  if (GetParam() && !fb::unavailable_reason(fb::Optimization::inline_future).empty()) GTEST_SKIP() << "compiled out";
  App app(config(GetParam()));
  constexpr int kClients = 6;
  constexpr int kPerClient = 400;
  const auto tally = fb::test::run_concurrent_clients(kClients, kPerClient, [&](int c, int i, StageTrace& t) {
    const bool boom = (i + c) % 9 == 0;
    const auto r = app.handle(get(boom ? "/boom" : "/hello"), t);
    return r.status == (boom ? 500 : 200) && (boom || r.body == "hello");
  });
  EXPECT_EQ(tally.ok, kClients * kPerClient);
}

INSTANTIATE_TEST_SUITE_P(Slots, FuturePipeline, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "inline" : "heap"; });

TEST(FutureAllocations, InlineFutureStageAllocatesNothing) {
  ASSERT_TRUE(fb::probes::alloc_counting_linked());
  if (!fb::unavailable_reason(fb::Optimization::inline_future).empty()) GTEST_SKIP() << "compiled out";
  fb::probes::calibrate_clock();
  constexpr int kRequests = 2000;
  App app(config(true));
  const auto d = allocations_for(app, kRequests, "/hello");
  EXPECT_EQ(d.allocations[FB_STAGE_FUTURE], 0u);
  EXPECT_EQ(d.allocations[FB_STAGE_ROUTE], 0u);
  EXPECT_EQ(d.allocations[FB_STAGE_MARSHAL], 0u);  // content type is a view, body fits inline
}

TEST(FutureAllocations, HeapFutureAllocatesOncePerRequest) {
  ASSERT_TRUE(fb::probes::alloc_counting_linked());
  fb::probes::calibrate_clock();
  constexpr int kRequests = 2000;
  App app(config(false));
  const auto d = allocations_for(app, kRequests, "/hello");
  EXPECT_EQ(d.allocations[FB_STAGE_FUTURE], static_cast<std::uint64_t>(kRequests));
}

}  // namespace
