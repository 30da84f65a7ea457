// Named baselines: where the store is, names, save / list / resolve.
#include "harness/baselines/baseline_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "harness/cli/exit_codes.h"
#include "results_builder.h"

using namespace fb::harness;
namespace fs = std::filesystem;

namespace {

struct TempStore {
  fs::path dir;
  TempStore() {
    dir = fs::path(::testing::TempDir()) / ("fb-baselines-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempStore() { fs::remove_all(dir); }
  std::string results(const std::string& name, const std::string& config = "P0") {
    nlohmann::json doc = fb::testing::results_doc();
    fb::testing::add_runs(doc, config, "total", {1000, 1001, 1002, 1003, 1004});
    const fs::path p = dir / name;
    std::ofstream(p) << doc.dump();
    return p.string();
  }
};

}  // namespace

TEST(BaselineStoreDir, CommandLineThenEnvironmentThenDefault) {
  ::unsetenv(kBaselineStoreEnv);
  EXPECT_EQ(baseline_store_dir(""), ".fasterbench/baselines");
  ::setenv(kBaselineStoreEnv, "/tmp/from-env", 1);
  EXPECT_EQ(baseline_store_dir(""), "/tmp/from-env");
  EXPECT_EQ(baseline_store_dir("/tmp/from-cli"), "/tmp/from-cli");
  ::unsetenv(kBaselineStoreEnv);
}

TEST(BaselineNames, Rules) {
  for (const char* ok : {"main", "v0.3", "release-2026_01", "A"}) EXPECT_TRUE(valid_baseline_name(ok)) << ok;
  for (const char* bad : {"", ".hidden", "-x", "a/b", "main.json", "sp ace", "x\n"}) EXPECT_FALSE(valid_baseline_name(bad)) << bad;
  EXPECT_FALSE(valid_baseline_name(std::string(101, 'a')));
}

TEST(SaveAndList, RoundTrip) {
  TempStore t;
  const std::string store = (t.dir / "store").string();  // created on first save
  const BaselineEntry saved = save_baseline(store, "main", t.results("r.json"), false);
  EXPECT_EQ(saved.path, store + "/main.json");
  EXPECT_EQ(saved.configs, std::vector<std::string>{"P0 x5"});
  EXPECT_THROW(save_baseline(store, "main", t.results("r2.json"), false), UsageError);  // exists
  save_baseline(store, "main", t.results("r3.json", "P1"), true);                       // --force
  save_baseline(store, "alpha", t.results("r4.json"), false);
  const auto list = list_baselines(store);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "alpha");
  EXPECT_EQ(list[1].name, "main");
  EXPECT_EQ(list[1].configs, std::vector<std::string>{"P1 x5"});
  EXPECT_EQ(list[1].scenario, "hello");
  EXPECT_EQ(list[1].git_revision, "abc123");
  EXPECT_EQ(list[1].python, "3.13.0");
  EXPECT_FALSE(list[1].saved.empty());
  EXPECT_TRUE(list_baselines((t.dir / "nowhere").string()).empty());
}

TEST(SaveBaseline, RejectsBadNamesAndInvalidResults) {
  TempStore t;
  EXPECT_THROW(save_baseline(t.dir.string(), "../escape", t.results("r.json"), false), UsageError);
  std::ofstream(t.dir / "bad.json") << "{\"runs\": ";
  EXPECT_THROW(save_baseline(t.dir.string(), "x", (t.dir / "bad.json").string(), false), UsageError);
  EXPECT_FALSE(fs::exists(t.dir / "x.json"));
}

TEST(ResolveResults, PathsAndNames) {
  TempStore t;
  const std::string store = (t.dir / "store").string();
  const std::string file = t.results("cand.json");
  save_baseline(store, "main", file, false);
  EXPECT_EQ(resolve_results(file, store).label, file);  // contains '/': a path
  const ResolvedResults named = resolve_results("main", store);
  EXPECT_EQ(named.path, store + "/main.json");
  EXPECT_EQ(named.label, "baseline 'main' (" + store + "/main.json)");
  EXPECT_EQ(named.doc["baseline"]["name"], "main");
  try {
    resolve_results("mian", store);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no baseline named 'mian' in " + store + " (stored: main)"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(resolve_results("missing.json", store), UsageError);  // ends in .json: a path
}
