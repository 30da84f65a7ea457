// The baseline pipeline end to end, with the real embedded interpreter.
#include "framework/app.h"

#include <gtest/gtest.h>

#include "concurrent_clients.h"
#include "probes/clock.h"
#include "probes/stage_latencies.h"
#include "python_test_env.h"

namespace {

using fb::App;
using fb::AppConfig;
using fb::Request;
using fb::StageTrace;

AppConfig test_config(std::size_t workers = 2) {
  AppConfig c;
  c.python_path = fb::test::fixture_python_path();
  c.workers = workers;
  c.routes = {{"GET", "/hello", "fb_test_handlers:hello"},
              {"POST", "/echo/{name}", "fb_test_handlers:echo"},
              {"GET", "/boom", "fb_test_handlers:boom"},
              {"GET", "/created", "fb_test_handlers:created"},
              {"GET", "/nothing", "fb_test_handlers:nothing"},
              {"GET", "/bad", "fb_test_handlers:bad_type"},
              {"GET", "/async", "fb_test_handlers:async_value"},
              {"GET", "/method", "fb_test_handlers:greeter.greet"}};
  return c;
}

using fb::test::get_request;

Request get(std::string_view path) { return get_request(path); }

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fb::probes::calibrate_clock();
    app = new App(test_config());
  }
  static void TearDownTestSuite() {
    delete app;
    app = nullptr;
  }
  static App* app;
};
App* PipelineTest::app = nullptr;

TEST_F(PipelineTest, HelloThroughExecutor) {
  StageTrace trace;
  const auto r = app->handle(get("/hello"), trace);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  const auto s = fb::probes::stage_latencies(trace.at, fb::probes::clock_calibration());
  for (std::size_t i = 0; i < fb::probes::kPipelineStageCount; ++i) EXPECT_TRUE(s.present[i]) << fb::probes::kStageNames[i];
  EXPECT_GT(s.ns[FB_STAGE_DISPATCH], 0);
  EXPECT_GT(s.ns[FB_STAGE_HANDLER], 0);
  EXPECT_GT(s.ns[FB_STAGE_TOTAL], s.ns[FB_STAGE_DISPATCH]);
}

TEST_F(PipelineTest, RequestObjectCarriesEverything) {
  Request r;
  r.method = "POST";
  r.path = "/echo/ada";
  r.query = "x=1&y=two&flag";
  r.headers = {{"X-Trace", "abc"}, {"Content-Type", "text/plain"}};
  r.body = "payload";
  StageTrace trace;
  const auto resp = app->handle(r, trace);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body,
            R"({"method":"POST","path":"/echo/ada","path_params":{"name":"ada"},"query":{"x":"1","y":"two","flag":""},)"
            R"("headers":{"x-trace":"abc","content-type":"text/plain"},"body":"payload"})");
}

TEST_F(PipelineTest, ExceptionBecomes500NamingIt) {
  StageTrace trace;
  const auto r = app->handle(get("/boom"), trace);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("ValueError: boom"), std::string::npos) << r.body;
  // The pipeline goes on serving.
  EXPECT_EQ(app->handle(get("/hello"), trace).status, 200);
}

TEST_F(PipelineTest, ErrorsAreLoggedPerRouteWithTheExceptionTypeAndMessage) {
  app->clear_errors();
  StageTrace t;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(app->handle(get("/boom"), t).status, 500);
  EXPECT_EQ(app->handle(get("/bad"), t).status, 500);
  EXPECT_EQ(app->handle(get("/hello"), t).status, 200);
  EXPECT_EQ(app->handle(get("/missing"), t).status, 404);  // not a route's error
  const std::vector<fb::RouteErrors> errors = app->errors();
  ASSERT_EQ(errors.size(), test_config().routes.size());
  EXPECT_EQ(errors[0].count, 0u);  // /hello
  EXPECT_EQ(errors[2].count, 3u);  // /boom
  ASSERT_EQ(errors[2].samples.size(), 1u);
  EXPECT_EQ(errors[2].samples[0].type, "ValueError");
  EXPECT_EQ(errors[2].samples[0].message, "boom");
  EXPECT_EQ(errors[2].samples[0].count, 3u);
  ASSERT_EQ(errors[5].samples.size(), 1u);  // /bad returns a float
  EXPECT_EQ(errors[5].samples[0].type, "TypeError");
  EXPECT_NE(errors[5].samples[0].message.find("handler returned float"), std::string::npos) << errors[5].samples[0].message;
  app->clear_errors();
  EXPECT_EQ(app->errors()[2].count, 0u);
}

TEST_F(PipelineTest, ResultShapes) {
  StageTrace t;
  EXPECT_EQ(app->handle(get("/created"), t).status, 201);
  EXPECT_EQ(app->handle(get("/nothing"), t).status, 204);
  EXPECT_EQ(app->handle(get("/bad"), t).status, 500);
  EXPECT_EQ(app->handle(get("/method"), t).body, "hi");
}

TEST_F(PipelineTest, AsyncHandlerRunsToCompletion) {
  StageTrace t;
  const auto r = app->handle(get("/async"), t);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"async":true})");
}

TEST_F(PipelineTest, NotFoundAndMethodNotAllowedSkipTheExecutor) {
  StageTrace t;
  auto r = app->handle(get("/missing"), t);
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(t.reached(FB_POINT_ENQUEUE));
  Request post = get("/hello");
  post.method = "POST";
  t.clear();
  r = app->handle(post, t);
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.body.find("GET"), std::string::npos);
}

TEST_F(PipelineTest, ManyConcurrentClients) {
  constexpr int kClients = 8;
  constexpr int kPerClient = 500;
  const auto tally = fb::test::run_concurrent_clients(kClients, kPerClient, [&](int c, int i, StageTrace& t) {
    const bool boom = (i + c) % 10 == 0;
    return app->handle(get(boom ? "/boom" : "/hello"), t).status == (boom ? 500 : 200);
  });
  EXPECT_EQ(tally.ok, kClients * kPerClient);
  EXPECT_EQ(tally.wrong, 0);
}

TEST(PipelineConfig, UnknownModuleNamesRouteAndException) {
  AppConfig c = test_config(1);
  c.routes.push_back({"GET", "/x", "no_such_module_xyz:handler"});
  try {
    App app(c);
    FAIL() << "expected ConfigError";
  } catch (const fb::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.route(), c.routes.size() - 1);
    EXPECT_NE(what.find("GET /x"), std::string::npos) << what;
    EXPECT_NE(what.find("ModuleNotFoundError"), std::string::npos) << what;
    EXPECT_NE(what.find("no_such_module_xyz"), std::string::npos) << what;
  }
}

TEST(PipelineConfig, UnknownFunctionAndNonCallable) {
  for (const char* spec : {"fb_test_handlers:missing", "fb_test_handlers:not_callable", "fb_test_handlers"}) {
    AppConfig c = test_config(1);
    c.routes = {{"GET", "/x", spec}};
    EXPECT_THROW(App app(c), fb::ConfigError) << spec;
  }
}

// Asserts only in a build or Python without sub-interpreters; compiled_out_test.cpp checks every
// optimization's refusal in every build.
TEST(PipelineConfig, UnavailableOptimizationIsAnError) {
  AppConfig c = test_config(1);
  c.optimizations.subinterp = true;
  if (!fb::unavailable_reason(fb::Optimization::subinterp).empty()) {
    EXPECT_THROW(App app(c), fb::ConfigError);
  }
}

TEST(PipelineConfig, AppsCanBeCreatedRepeatedly) {
  fb::probes::calibrate_clock();
  for (int i = 0; i < 5; ++i) {
    App app(test_config(2));
    StageTrace t;
    EXPECT_EQ(app.handle(get("/hello"), t).status, 200);
  }
}

}  // namespace
