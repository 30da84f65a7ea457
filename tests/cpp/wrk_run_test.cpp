// The wrk side of `fasterbench versus`: the Lua script built from a scenario, and reading the
// result line its done() prints.
#include "harness/versus/wrk_run.h"

#include <gtest/gtest.h>

#include <fstream>

namespace fb::harness {
namespace {

Scenario scenario_from(const std::string& toml) {
  const std::string path = ::testing::TempDir() + "/wrk_run_test.toml";
  std::ofstream(path) << toml;
  return load_scenario(path);
}

TEST(WrkRun, ParsesTheResultLine) {
  const std::string output =
      "Running 1s test @ http://127.0.0.1:1/\n  1 threads and 4 connections\n"
      "FASTERBENCH_WRK {\"requests\":1000,\"duration_us\":500000,\"bytes\":123,\"errors\":{\"connect\":0,\"read\":1,"
      "\"write\":0,\"status\":2,\"timeout\":3},\"latency_us\":{\"min\":10,\"mean\":55.5,\"stdev\":4.0,\"max\":900,"
      "\"p50\":50,\"p90\":70,\"p99\":200,\"p999\":800}}\nRequests/sec: 2000\n";
  const WrkResult r = parse_wrk_output(output);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.requests, 1000u);
  EXPECT_DOUBLE_EQ(r.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(r.requests_per_s, 2000.0);
  EXPECT_EQ(r.errors(), 6u);
  EXPECT_DOUBLE_EQ(r.latency_us.p50, 50);
  EXPECT_DOUBLE_EQ(r.latency_us.p999, 800);
}

TEST(WrkRun, MissingOrBrokenResultLineIsAnError) {
  EXPECT_FALSE(parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused\n").ok);
  const WrkResult r = parse_wrk_output("FASTERBENCH_WRK {\"requests\":1}\n");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("unreadable"), std::string::npos) << r.error;
}

TEST(WrkRun, OneRouteUsesWrksOwnRequest) {
  const Scenario s = scenario_from(
      "name = \"one\"\n[[route]]\nmethod = \"POST\"\npath = \"/echo\"\nhandler = \"m:f\"\nbody = \"a\\\"b\"\n"
      "headers = { accept = \"text/plain\" }\n");
  RequestMix mix(s);
  const std::string lua = wrk_script(s, mix, HttpTarget{"", "127.0.0.1", 8000}, 1);
  EXPECT_NE(lua.find("wrk.method = \"POST\""), std::string::npos) << lua;
  EXPECT_NE(lua.find("wrk.path = \"/echo\""), std::string::npos);
  EXPECT_NE(lua.find("wrk.body = \"a\\\"b\""), std::string::npos);  // escaped for Lua
  EXPECT_NE(lua.find("wrk.headers[\"accept\"] = \"text/plain\""), std::string::npos);
  EXPECT_EQ(lua.find("function request()"), std::string::npos);
  EXPECT_NE(lua.find("function done(summary, latency, requests)"), std::string::npos);
}

TEST(WrkRun, SeveralRoutesDrawWithTheScenarioWeights) {
  const Scenario s = scenario_from(
      "name = \"mix\"\n[[route]]\npath = \"/a\"\nhandler = \"m:a\"\nweight = 3\n"
      "[[route]]\npath = \"/b/{id}\"\nrequest = \"/b/7?x=1\"\nhandler = \"m:b\"\nweight = 1\n");
  RequestMix mix(s);
  const std::string lua = wrk_script(s, mix, HttpTarget{"", "127.0.0.1", 8000}, 5);
  EXPECT_NE(lua.find("\"GET /a HTTP/1.1\\013\\010Host: 127.0.0.1:8000\\013\\010\\013\\010\""), std::string::npos) << lua;
  EXPECT_NE(lua.find("\"GET /b/7?x=1 HTTP/1.1\\013\\010"), std::string::npos);
  EXPECT_NE(lua.find("local cumulative = { 3, 4, }"), std::string::npos);
  EXPECT_NE(lua.find("local total = 4"), std::string::npos);
  EXPECT_NE(lua.find("math.randomseed(5 * 1000003 + id)"), std::string::npos);
}

}  // namespace
}  // namespace fb::harness
