// Optimization #1 end to end: SYNC_FAST handlers on the calling thread (no dispatch, no
// future), exceptions, the demotion guard, coroutines found at run time, and the lifetime of
// the calling threads' Python thread states.
#include "framework/app.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "concurrent_clients.h"
#include "framework/python/thread_callers.h"
#include "framework/python/gil.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"
#include "python_test_env.h"

namespace {

using fb::App;
using fb::AppConfig;
using fb::HandlerKind;
using fb::Request;
using fb::StageTrace;

enum Route { kHello, kBoom, kBusy, kSleepyForcedFast, kHidden, kHelloForcedBlocking };

AppConfig direct_config(bool direct = true) {
  AppConfig c;
  c.python_path = fb::test::fixture_python_path();
  c.workers = 2;
  c.optimizations.direct = direct;
  c.routes = {{"GET", "/hello", "fb_direct_handlers:hello"},
              {"GET", "/boom", "fb_direct_handlers:boom"},
              {"GET", "/busy", "fb_direct_handlers:busy_1ms"},
              {"GET", "/sleepy", "fb_direct_handlers:sleepy", HandlerKind::sync_fast},
              {"GET", "/hidden", "fb_direct_handlers:hides_a_coroutine"},
              {"GET", "/forced", "fb_direct_handlers:hello", HandlerKind::sync_blocking}};
  return c;
}

Request get(std::string_view path) { return fb::test::get_request(path); }

bool went_through_executor(const StageTrace& t) { return t.reached(FB_POINT_DEQUEUE); }

#if FASTERBENCH_HAVE_DIRECT

// Thread states of the main interpreter (GIL held by the caller).
int thread_state_count() {
  int n = 0;
  for (PyThreadState* t = PyInterpreterState_ThreadHead(PyInterpreterState_Main()); t != nullptr; t = PyThreadState_Next(t)) ++n;
  return n;
}

class DirectPath : public ::testing::Test {
 protected:
  void SetUp() override {
    fb::probes::calibrate_clock();
    app = std::make_unique<App>(direct_config());
  }
  std::unique_ptr<App> app;
};

TEST_F(DirectPath, FastHandlerRunsInlineWithoutDispatchOrFuture) {
  EXPECT_EQ(app->routes()[kHello].kind, HandlerKind::sync_fast);
  StageTrace t;
  const auto r = app->handle(get("/hello"), t);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_FALSE(t.reached(FB_POINT_ENQUEUE));
  EXPECT_FALSE(t.reached(FB_POINT_FUTURE_CREATE));
  const auto s = fb::probes::stage_latencies(t.at, fb::probes::clock_calibration());
  EXPECT_FALSE(s.present[FB_STAGE_DISPATCH]);
  EXPECT_FALSE(s.present[FB_STAGE_FUTURE]);
  for (fb_stage st : {FB_STAGE_ROUTE, FB_STAGE_GIL, FB_STAGE_MARSHAL, FB_STAGE_HANDLER, FB_STAGE_OTHER, FB_STAGE_TOTAL}) {
    EXPECT_TRUE(s.present[st]) << st;
  }
  EXPECT_GE(s.ns[FB_STAGE_OTHER], 0);
}

TEST_F(DirectPath, ExceptionBecomes500OnTheCallingThread) {
  StageTrace t;
  const auto r = app->handle(get("/boom"), t);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("ValueError: boom"), std::string::npos) << r.body;
  EXPECT_FALSE(went_through_executor(t));
  t.clear();
  EXPECT_EQ(app->handle(get("/hello"), t).status, 200);
  EXPECT_EQ(app->routes()[kBoom].current, HandlerKind::sync_fast);  // raising fast is not slow
}

TEST_F(DirectPath, BlockingAndOverriddenRoutesStayOnTheExecutor) {
  const auto routes = app->routes();
  EXPECT_TRUE(routes[kHelloForcedBlocking].overridden);
  EXPECT_EQ(routes[kHelloForcedBlocking].kind, HandlerKind::sync_blocking);
  EXPECT_NE(routes[kHelloForcedBlocking].reason.find("scenario override kind = \"blocking\""), std::string::npos)
      << routes[kHelloForcedBlocking].reason;
  EXPECT_NE(routes[kHelloForcedBlocking].reason.find("SYNC_FAST"), std::string::npos);  // what the classifier said
  StageTrace t;
  EXPECT_EQ(app->handle(get("/forced"), t).status, 200);
  EXPECT_TRUE(went_through_executor(t));
}

TEST_F(DirectPath, SlowFastHandlerIsDemotedAfterKSlowCalls) {
  ASSERT_EQ(app->routes()[kBusy].kind, HandlerKind::sync_fast) << app->routes()[kBusy].reason;
  for (int i = 0; i < 3; ++i) {
    StageTrace t;
    EXPECT_EQ(app->handle(get("/busy"), t).status, 200);
    EXPECT_FALSE(went_through_executor(t)) << "call " << i;
  }
  auto info = app->routes()[kBusy];
  EXPECT_EQ(info.kind, HandlerKind::sync_fast);  // as registered
  EXPECT_EQ(info.current, HandlerKind::sync_blocking);
  EXPECT_EQ(info.demotions, 1u);
  EXPECT_EQ(app->demotions(), 1u);
  for (int i = 0; i < 3; ++i) {
    StageTrace t;
    EXPECT_EQ(app->handle(get("/busy"), t).status, 200);
    EXPECT_TRUE(went_through_executor(t));
  }
  EXPECT_EQ(app->demotions(), 1u);  // demoted once, for good
  // A fast route is untouched.
  StageTrace t;
  app->handle(get("/hello"), t);
  EXPECT_FALSE(went_through_executor(t));
}

TEST_F(DirectPath, ACallWithinBudgetResetsTheSlowCount) {
  // slow, slow, fast, slow, slow: never 3 slow calls in a row, so no demotion; one more does.
  auto call = [&](bool slow) {
    Request r = get("/busy");
    if (!slow) r.query = "fast=1";
    StageTrace t;
    EXPECT_EQ(app->handle(r, t).status, 200);
    return went_through_executor(t);
  };
  for (bool slow : {true, true, false, true, true}) EXPECT_FALSE(call(slow));
  EXPECT_EQ(app->routes()[kBusy].current, HandlerKind::sync_fast);
  EXPECT_EQ(app->demotions(), 0u);
  EXPECT_FALSE(call(true));  // the third slow call in a row demotes (it still ran directly)
  EXPECT_EQ(app->routes()[kBusy].current, HandlerKind::sync_blocking);
  EXPECT_TRUE(call(false));
}

TEST_F(DirectPath, ForcedFastBlockingHandlerIsDemotedToo) {
  EXPECT_TRUE(app->routes()[kSleepyForcedFast].overridden);
  for (int i = 0; i < 3; ++i) {
    StageTrace t;
    app->handle(get("/sleepy"), t);
  }
  EXPECT_EQ(app->routes()[kSleepyForcedFast].current, HandlerKind::sync_blocking);
  EXPECT_EQ(app->routes()[kSleepyForcedFast].demotions, 1u);
}

TEST(DirectPathPolicy, BudgetAndCountAreConfigurable) {
  fb::probes::calibrate_clock();
  AppConfig c = direct_config();
  c.demotion.budget = std::chrono::seconds(1);  // 1 ms is not slow now
  App lenient(c);
  for (int i = 0; i < 5; ++i) {
    StageTrace t;
    lenient.handle(get("/busy"), t);
  }
  EXPECT_EQ(lenient.demotions(), 0u);

  c.demotion.budget = std::chrono::microseconds(200);
  c.demotion.after = 1;
  App strict(c);
  StageTrace t;
  strict.handle(get("/busy"), t);
  EXPECT_EQ(strict.routes()[kBusy].current, HandlerKind::sync_blocking);

  c.demotion.after = 0;
  EXPECT_THROW(App bad(c), fb::ConfigError);
}

TEST_F(DirectPath, CoroutineFromAFastRouteIsForwardedAndTheRouteBecomesAsync) {
  ASSERT_EQ(app->routes()[kHidden].kind, HandlerKind::sync_fast) << app->routes()[kHidden].reason;
  StageTrace t;
  const auto r = app->handle(get("/hidden"), t);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"via":"coroutine"})");
  EXPECT_TRUE(went_through_executor(t));
  const auto s = fb::probes::stage_latencies(t.at, fb::probes::clock_calibration());
  EXPECT_GE(s.ns[FB_STAGE_MARSHAL], 0);
  EXPECT_GE(s.ns[FB_STAGE_OTHER], 0);
  EXPECT_EQ(app->routes()[kHidden].current, HandlerKind::async);
  EXPECT_EQ(app->routes()[kHidden].demotions, 1u);
  t.clear();
  EXPECT_EQ(app->handle(get("/hidden"), t).body, R"({"via":"coroutine"})");
  EXPECT_TRUE(went_through_executor(t));
  EXPECT_TRUE(t.reached(FB_POINT_HANDLER_RETURN));
}

TEST_F(DirectPath, ManyCallingThreadsAtOnce) {
  constexpr int kClients = 8;
  constexpr int kPerClient = 500;
  const auto tally = fb::test::run_concurrent_clients(kClients, kPerClient, [&](int c, int i, StageTrace& t) {
    const int which = (i + c) % 10;
    const char* path = which == 0 ? "/boom" : which == 1 ? "/forced" : "/hello";
    const auto r = app->handle(get(path), t);
    const int expected = which == 0 ? 500 : 200;
    return r.status == expected && went_through_executor(t) == (which == 1);
  });
  EXPECT_EQ(tally.ok, kClients * kPerClient);
  EXPECT_EQ(tally.wrong, 0);
}

// Rule 2 of python/thread_callers.h: a calling thread's main-interpreter state is its own, freed
// when the thread exits, untouched by App destruction, reused by the next App.
TEST(CallerThreadStates, FreedAtThreadExitAndSurviveTheApp) {
  fb::probes::calibrate_clock();
  auto app = std::make_unique<App>(direct_config());
  int before = 0;
  {
    fb::python::GilScope gil;
    before = thread_state_count();
  }
  for (int round = 0; round < 20; ++round) {
    std::thread([&] {
      StageTrace t;
      EXPECT_EQ(app->handle(get("/hello"), t).status, 200);
      EXPECT_EQ(fb::python::this_thread_state_count(), 1u);
    }).join();
  }
  {
    fb::python::GilScope gil;
    EXPECT_EQ(thread_state_count(), before) << "every exited thread deleted its state";
  }

  // A client thread that outlives its App keeps its state and uses it with the next App.
  std::atomic<int> step{0};
  std::thread client([&] {
    StageTrace t;
    EXPECT_EQ(app->handle(get("/hello"), t).status, 200);
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
    t.clear();
    EXPECT_EQ(app->handle(get("/hello"), t).status, 200);  // the new App
    EXPECT_EQ(fb::python::this_thread_state_count(), 1u);
  });
  while (step.load() != 1) std::this_thread::yield();
  app = std::make_unique<App>(direct_config());  // destroys the first App
  step = 2;
  client.join();
  app.reset();
  fb::python::GilScope gil;
  EXPECT_EQ(thread_state_count(), before - 2) << "the App's 2 workers ended theirs; no client state is left";
}

TEST(DirectPathConfig, GeneratorHandlerIsRejectedAtRegistration) {
  AppConfig c = direct_config();
  c.routes.push_back({"GET", "/gen", "fb_direct_handlers:generator"});
  try {
    App app(c);
    FAIL() << "expected ConfigError";
  } catch (const fb::ConfigError& e) {
    EXPECT_EQ(e.route(), c.routes.size() - 1);
    const std::string what = e.what();
    EXPECT_NE(what.find("GET /gen"), std::string::npos) << what;
    EXPECT_NE(what.find("generator function"), std::string::npos) << what;
  }
}

#else  // FASTERBENCH_HAVE_DIRECT

TEST(DirectPathConfig, CompiledOutIsAClearError) {
  try {
    App app(direct_config());
    FAIL() << "expected ConfigError";
  } catch (const fb::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("FASTERBENCH_OPT_DIRECT"), std::string::npos) << e.what();
  }
}

#endif  // FASTERBENCH_HAVE_DIRECT

TEST(DirectPathOff, FastHandlersUseTheExecutorWithoutDirect) {
  fb::probes::calibrate_clock();
  App app(direct_config(false));
  EXPECT_EQ(app.routes()[kHello].kind, HandlerKind::sync_fast);  // classified all the same
  StageTrace t;
  EXPECT_EQ(app.handle(get("/hello"), t).status, 200);
  EXPECT_TRUE(went_through_executor(t));
  // No guard without the direct path: nothing is timed against the budget.
  for (int i = 0; i < 4; ++i) {
    t.clear();
    app.handle(get("/busy"), t);
  }
  EXPECT_EQ(app.demotions(), 0u);
}

}  // namespace
