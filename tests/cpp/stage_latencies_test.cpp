#include "probes/stage_latencies.h"

#include <gtest/gtest.h>

using namespace fb::probes;

namespace {

ClockCalibration unit_clock() {
  ClockCalibration c;
  c.source = "test";
  c.ns_per_tick = 1.0;
  return c;
}

}  // namespace

// An executor-path request stamped by hand: every stage is the hand-computed difference.
TEST(StageLatencies, ExecutorPath) {
  PointStamps at{};
  at[FB_POINT_ARRIVE] = 1000;
  at[FB_POINT_ROUTE_MATCHED] = 1040;          // route 40
  at[FB_POINT_FUTURE_CREATE] = 1050;
  at[FB_POINT_FUTURE_CREATED] = 1110;         // future create 60
  at[FB_POINT_ENQUEUE] = 1120;
  at[FB_POINT_DEQUEUE] = 2120;                // dispatch 1000
  at[FB_POINT_GIL_REQUEST] = 2130;
  at[FB_POINT_GIL_ACQUIRED] = 2330;           // gil 200
  at[FB_POINT_HANDLER_CALL] = 2630;           // marshal in 300
  at[FB_POINT_HANDLER_RETURN] = 3130;         // handler 500
  at[FB_POINT_MARSHAL_DONE] = 3230;           // marshal out 100
  at[FB_POINT_FUTURE_SET] = 3300;
  at[FB_POINT_FUTURE_OBSERVED] = 3800;        // future wake 500
  at[FB_POINT_RESPONSE_READY] = 3810;         // total 2810
  const StageLatencies s = stage_latencies(at, unit_clock());
  EXPECT_EQ(s.ns[FB_STAGE_ROUTE], 40);
  EXPECT_EQ(s.ns[FB_STAGE_DISPATCH], 1000);
  EXPECT_EQ(s.ns[FB_STAGE_GIL], 200);
  EXPECT_EQ(s.ns[FB_STAGE_MARSHAL], 400);
  EXPECT_EQ(s.ns[FB_STAGE_HANDLER], 500);
  EXPECT_EQ(s.ns[FB_STAGE_FUTURE], 560);
  EXPECT_EQ(s.ns[FB_STAGE_TOTAL], 2810);
  EXPECT_EQ(s.ns[FB_STAGE_OTHER], 2810 - (40 + 1000 + 200 + 400 + 500 + 560));
  for (std::size_t i = 0; i < kPipelineStageCount; ++i) EXPECT_TRUE(s.present[i]) << i;
  // recv and send are timed by the HTTP server, never from stage points.
  EXPECT_FALSE(s.present[FB_STAGE_RECV]);
  EXPECT_FALSE(s.present[FB_STAGE_SEND]);
  // queue is the load generator's: absent without an intended send time (closed loop).
  EXPECT_FALSE(s.present[FB_STAGE_QUEUE]);
}

// Open loop: the request was meant to leave at tick 400 and arrived at 1000. queue = 600, total
// runs from the intended time, and `other` is the same residual as without the correction.
TEST(StageLatencies, IntendedSendTimeAddsQueueToTotal) {
  PointStamps at{};
  at[FB_POINT_ARRIVE] = 1000;
  at[FB_POINT_ROUTE_MATCHED] = 1040;
  at[FB_POINT_HANDLER_CALL] = 1100;
  at[FB_POINT_HANDLER_RETURN] = 1600;
  at[FB_POINT_RESPONSE_READY] = 1700;
  const StageLatencies closed = stage_latencies(at, unit_clock());
  const StageLatencies open = stage_latencies(at, unit_clock(), 400);
  EXPECT_FALSE(closed.present[FB_STAGE_QUEUE]);
  EXPECT_EQ(closed.ns[FB_STAGE_TOTAL], 700);
  EXPECT_TRUE(open.present[FB_STAGE_QUEUE]);
  EXPECT_EQ(open.ns[FB_STAGE_QUEUE], 600);
  EXPECT_EQ(open.ns[FB_STAGE_TOTAL], 1300);
  EXPECT_EQ(open.ns[FB_STAGE_OTHER], closed.ns[FB_STAGE_OTHER]);
  EXPECT_EQ(open.ns[FB_STAGE_OTHER], 700 - 40 - 500);
  EXPECT_EQ(open.ns[FB_STAGE_HANDLER], closed.ns[FB_STAGE_HANDLER]);
}

// A 404: only route, total and other are present; other is the closure residual over them.
TEST(StageLatencies, SkippedStagesAreAbsent) {
  PointStamps at{};
  at[FB_POINT_ARRIVE] = 10;
  at[FB_POINT_ROUTE_MATCHED] = 30;
  at[FB_POINT_RESPONSE_READY] = 100;
  const StageLatencies s = stage_latencies(at, unit_clock());
  EXPECT_TRUE(s.present[FB_STAGE_ROUTE]);
  EXPECT_FALSE(s.present[FB_STAGE_DISPATCH]);
  EXPECT_FALSE(s.present[FB_STAGE_GIL]);
  EXPECT_FALSE(s.present[FB_STAGE_HANDLER]);
  EXPECT_FALSE(s.present[FB_STAGE_FUTURE]);
  EXPECT_EQ(s.ns[FB_STAGE_TOTAL], 90);
  EXPECT_EQ(s.ns[FB_STAGE_OTHER], 70);
}

TEST(StageLatencies, TicksAreScaled) {
  ClockCalibration c = unit_clock();
  c.ns_per_tick = 0.5;
  PointStamps at{};
  at[FB_POINT_ARRIVE] = 100;
  at[FB_POINT_ROUTE_MATCHED] = 300;
  at[FB_POINT_RESPONSE_READY] = 500;
  const StageLatencies s = stage_latencies(at, c);
  EXPECT_EQ(s.ns[FB_STAGE_ROUTE], 100);
  EXPECT_EQ(s.ns[FB_STAGE_TOTAL], 200);
}
