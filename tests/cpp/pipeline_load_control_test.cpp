// The closed loop's two controls for guest mode (harness/load/pipeline_load.h): client 0 on the
// calling thread, and a stop flag that ends warm-up and measured part at the next request.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "framework/app.h"
#include "harness/load/pipeline_load.h"
#include "harness/load/request_mix.h"
#include "harness/scenario/scenario.h"
#include "probes/clock.h"
#include "python_test_env.h"

namespace {

using namespace fb;
using namespace fb::harness;

Scenario hello_scenario() {
  Scenario s;
  s.name = "hello";
  s.python_path = test::fixture_python_path();
  ScenarioRoute r;
  r.path = r.request = "/hello";
  r.handler = "fb_test_handlers:hello";
  s.routes.push_back(r);
  return s;
}

AppConfig config_for(const Scenario& s, OptimizationSet opts) {
  AppConfig c;
  c.python_path = s.python_path;
  c.routes = {{"GET", "/hello", "fb_test_handlers:hello"}};
  c.optimizations = opts;
  c.workers = 1;
  return c;
}

TEST(PipelineLoadControl, TheCallerIsClientZeroAndTheOthersAreThreads) {
  probes::calibrate_clock();
  const Scenario scenario = hello_scenario();
  App app(config_for(scenario, {}));
  const RequestMix mix(scenario);
  LoadSettings settings{200, 20, 3, 1};
  settings.caller_is_first_client = true;
  std::mutex mutex;
  std::set<std::thread::id> client_zero, others;
  settings.on_client_start = [&](std::size_t client) {
    std::lock_guard lock(mutex);
    (client == 0 ? client_zero : others).insert(std::this_thread::get_id());
  };
  const LoadResult result = run_closed_loop(app, mix, settings);
  EXPECT_EQ(result.requests, 200u);
  EXPECT_EQ(client_zero, std::set{std::this_thread::get_id()});
  EXPECT_EQ(others.size(), 2u);
  EXPECT_FALSE(others.contains(std::this_thread::get_id()));
}

TEST(PipelineLoadControl, TheStopFlagEndsTheRunAtTheNextRequest) {
  probes::calibrate_clock();
  const Scenario scenario = hello_scenario();
  App app(config_for(scenario, {}));
  const RequestMix mix(scenario);
  std::atomic<bool> stop{false};
  LoadSettings settings{1'000'000'000, 1000, 2, 1};  // hours of requests, unless stopped
  settings.caller_is_first_client = true;
  settings.stop = &stop;
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.store(true);  // as the SIGINT handler does
  });
  const auto start = std::chrono::steady_clock::now();
  const LoadResult result = run_closed_loop(app, mix, settings);
  const auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  EXPECT_LT(result.requests, 1'000'000'000u);
  EXPECT_LT(took, std::chrono::seconds(5));  // 200 ms, plus a request; generous for a loaded machine
}

TEST(PipelineLoadControl, AStopBeforeTheStartSendsNothing) {
  probes::calibrate_clock();
  const Scenario scenario = hello_scenario();
  App app(config_for(scenario, {}));
  const RequestMix mix(scenario);
  std::atomic<bool> stop{true};
  LoadSettings settings{1000, 100, 2, 1};
  settings.stop = &stop;
  const LoadResult result = run_closed_loop(app, mix, settings);
  EXPECT_EQ(result.requests, 0u);
}

}  // namespace
