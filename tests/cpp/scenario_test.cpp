#include "harness/scenario/scenario.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "python_test_env.h"

using fb::harness::load_scenario;
using fb::harness::ScenarioError;

namespace {

// Writes `text` to a fresh temporary .toml file and returns its path.
std::string write_temp(const std::string& text) {
  static int n = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("fb_scenario_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

// The message of the ScenarioError that loading `text` throws.
std::string error_of(const std::string& text) {
  const std::string path = write_temp(text);
  try {
    load_scenario(path);
  } catch (const ScenarioError& e) {
    std::filesystem::remove(path);
    return e.what();
  }
  std::filesystem::remove(path);
  return "";
}

}  // namespace

TEST(Scenario, ShippedScenariosLoad) {
  for (const char* name : {"scenarios/hello.toml", "scenarios/mixed.toml", "scenarios/cpu.toml"}) {
    const auto s = load_scenario(fb::test::source_path(name));
    EXPECT_FALSE(s.routes.empty()) << name;
    EXPECT_FALSE(s.name.empty()) << name;
  }
  const auto mixed = load_scenario(fb::test::source_path("scenarios/mixed.toml"));
  ASSERT_EQ(mixed.routes.size(), 4u);
  EXPECT_EQ(mixed.routes[1].path, "/items/{id}");
  EXPECT_EQ(mixed.routes[1].request, "/items/42?verbose=1");
  EXPECT_EQ(mixed.routes[1].weight, 20);
  EXPECT_EQ(mixed.load.clients, 2);
}

TEST(Scenario, FullRouteParsed) {
  const std::string path = write_temp(R"(name = "t"
[[route]]
method = "POST"
path = "/a/{x}"
handler = "m:f"
request = "/a/1?q=2"
body = "data"
weight = 2.5
kind = "blocking"
headers = { accept = "text/plain" }
)");
  const auto s = load_scenario(path);
  std::filesystem::remove(path);
  ASSERT_EQ(s.routes.size(), 1u);
  const auto& r = s.routes[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body, "data");
  EXPECT_EQ(r.weight, 2.5);
  EXPECT_EQ(r.kind, "blocking");
  EXPECT_EQ(r.line, 2);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "accept");
  ASSERT_EQ(s.python_path.size(), 1u);  // defaults to the scenario's folder
}

TEST(Scenario, MalformedTomlNamesFileAndLine) {
  const std::string e = error_of("name = \"x\"\n[[route]]\npath = \"/a\n");
  EXPECT_NE(e.find(".toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid TOML"), std::string::npos) << e;
}

TEST(Scenario, SemanticErrorsNameLineAndExpectation) {
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\n").find(":1: missing required key 'handler'"), std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\nhandler = \"nocolon\"\n").find(":3: 'handler' must be \"module:function\""),
            std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\nhandler = \"m:f\"\nkind = \"slow\"\n").find(":4: 'kind' must be"),
            std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\nhandler = \"m:f\"\nwieght = 3\n").find(":4: unknown key 'wieght'"),
            std::string::npos);
  EXPECT_NE(error_of("name = \"x\"\n").find("no routes"), std::string::npos);
  EXPECT_NE(error_of("[load]\nclients = 0\n[[route]]\npath = \"/a\"\nhandler = \"m:f\"\n").find(":2: 'clients' must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a/{id}\"\nhandler = \"m:f\"\n").find("give a concrete 'request'"),
            std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\nhandler = \"m:f\"\nweight = 0\n").find("sum to 0"), std::string::npos);
  EXPECT_NE(error_of("[[route]]\npath = \"/a\"\nhandler = \"m:f\"\nweight = -1\n").find("'weight' must be >= 0"),
            std::string::npos);
}

TEST(Scenario, MissingFile) {
  try {
    load_scenario("/nonexistent/x.toml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.toml: no such scenario file"), std::string::npos);
  }
}
