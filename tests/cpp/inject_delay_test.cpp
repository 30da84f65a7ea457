// The injectable regression's parser and busy-wait.
#include "framework/inject_delay.h"

#include <gtest/gtest.h>

#include <chrono>

using namespace fb;

TEST(ParseInjectedDelay, AcceptsNamedStages) {
  const InjectedDelay d = parse_injected_delay("dispatch=2000");
  EXPECT_EQ(d.stage, FB_STAGE_DISPATCH);
  EXPECT_EQ(d.ns, 2000u);
  EXPECT_TRUE(d.active());
  EXPECT_EQ(to_string(d), "dispatch=2000");
  EXPECT_EQ(parse_injected_delay("other=1").stage, FB_STAGE_OTHER);
  EXPECT_FALSE(parse_injected_delay("gil=0").active());  // zero: accepted, does nothing
  EXPECT_FALSE(InjectedDelay{}.active());
  EXPECT_EQ(to_string(InjectedDelay{}), "");
}

TEST(ParseInjectedDelay, AcceptsOneInN) {
  const InjectedDelay d = parse_injected_delay("handler=5000000/100");
  EXPECT_EQ(d.stage, FB_STAGE_HANDLER);
  EXPECT_EQ(d.ns, 5'000'000u);
  EXPECT_EQ(d.every, 100u);
  EXPECT_EQ(to_string(d), "handler=5000000/100");
  EXPECT_EQ(parse_injected_delay("route=10").every, 1u);
  EXPECT_EQ(to_string(parse_injected_delay("route=10/1")), "route=10");
}

TEST(InjectDelay, OneInNWaitsOnEveryNthRequestOfTheThread) {
  const InjectedDelay d = parse_injected_delay("route=2000000/4");  // 2 ms in 1 request in 4
  int slow = 0;
  for (int i = 0; i < 8; ++i) {
    const auto start = std::chrono::steady_clock::now();
    inject_delay(d, FB_STAGE_ROUTE);
    if (std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(2)) ++slow;
  }
  EXPECT_EQ(slow, 2);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) inject_delay(d, FB_STAGE_GIL);  // another stage: never waits
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2));
}

TEST(ParseInjectedDelay, RejectsWithOneLineMessages) {
  auto message = [](const char* spec) {
    try {
      parse_injected_delay(spec);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("dispach=2000"), "unknown stage 'dispach' (accepted: route, dispatch, gil, marshal, handler, future, other)");
  EXPECT_EQ(message("total=2000"), "unknown stage 'total' (accepted: route, dispatch, gil, marshal, handler, future, other)");
  EXPECT_EQ(message("dispatch"), "expected STAGE=NS, e.g. dispatch=2000, got 'dispatch'");
  EXPECT_EQ(message("dispatch=2us"), "delay '2us' is not a whole number of nanoseconds in [0, 10000000]");
  EXPECT_EQ(message("dispatch=-5"), "delay '-5' is not a whole number of nanoseconds in [0, 10000000]");
  EXPECT_EQ(message("dispatch=10000001"), "delay '10000001' is not a whole number of nanoseconds in [0, 10000000]");
  EXPECT_EQ(message("dispatch="), "delay '' is not a whole number of nanoseconds in [0, 10000000]");
  EXPECT_EQ(message("dispatch=2000/0"), "1 in N: '0' is not a whole number in [1, 1000000]");
  EXPECT_EQ(message("dispatch=2000/x"), "1 in N: 'x' is not a whole number in [1, 1000000]");
  EXPECT_EQ(message("queue=2000"), "unknown stage 'queue' (accepted: route, dispatch, gil, marshal, handler, future, other)");
}

TEST(BusyWait, WaitsAtLeastTheDelay) {
  const auto start = std::chrono::steady_clock::now();
  busy_wait_ns(200'000);
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(elapsed, 200'000);
}

TEST(InjectDelay, OnlyTheNamedStageWaits) {
  const InjectedDelay d{FB_STAGE_HANDLER, 300'000};
  auto time = [&](fb_stage here) {
    const auto start = std::chrono::steady_clock::now();
    inject_delay(d, here);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  };
  EXPECT_GE(time(FB_STAGE_HANDLER), 300'000);
  EXPECT_LT(time(FB_STAGE_DISPATCH), 300'000);
}

TEST(ParseInjectedWork, AcceptsNamedStagesAndRecordsIterations) {
  const InjectedDelay w = parse_injected_work("marshal=5000");
  EXPECT_EQ(w.stage, FB_STAGE_MARSHAL);
  EXPECT_EQ(w.work, 5000u);
  EXPECT_EQ(w.ns, 0u);
  EXPECT_TRUE(w.active());
  EXPECT_EQ(work_to_string(w), "marshal=5000");
  EXPECT_EQ(to_string(w), "");  // not a delay
  EXPECT_EQ(work_to_string(parse_injected_delay("gil=10")), "");
  EXPECT_FALSE(parse_injected_work("route=0").active());
}

TEST(ParseInjectedWork, RejectsWithOneLineMessages) {
  auto message = [](const char* spec) {
    try {
      parse_injected_work(spec);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("marshal"), "expected STAGE=N, e.g. marshal=5000, got 'marshal'");
  EXPECT_EQ(message("total=5"), "unknown stage 'total' (accepted: route, dispatch, gil, marshal, handler, future, other)");
  EXPECT_EQ(message("marshal=1e3"), "work '1e3' is not a whole number of iterations in [0, 100000000]");
  EXPECT_EQ(message("marshal=100000001"), "work '100000001' is not a whole number of iterations in [0, 100000000]");
}

TEST(InjectedWork, DependsOnEveryIteration) {
  // The loop's result depends on its iteration count, so it cannot be folded away, and it is
  // the same in every run (what makes the injected regression deterministic).
  EXPECT_NE(run_injected_work(1000), run_injected_work(1001));
  EXPECT_EQ(run_injected_work(1000), run_injected_work(1000));
}
