// compare_results and its renderings on synthetic results documents.
#include "harness/compare/comparison.h"

#include <gtest/gtest.h>

#include "harness/compare/comparison_report.h"
#include "harness/cli/exit_codes.h"
#include "harness/results/results_reader.h"
#include "results_builder.h"

using namespace fb::harness;
using fb::testing::add_runs;
using fb::testing::add_unsupported;
using fb::testing::results_doc;
using nlohmann::json;

namespace {

Comparison compare(const json& b, const json& c, CompareSettings s = {}) {
  return compare_results(b, source_info(b, "A.json"), c, source_info(c, "B.json"), s);
}

const StageComparison& stage(const Comparison& c, const std::string& config, const std::string& name) {
  for (const auto& cc : c.configs) {
    if (cc.config != config) continue;
    for (const auto& s : cc.stages) {
      if (s.stage == name) return s;
    }
  }
  throw std::runtime_error("no such stage");
}

}  // namespace

TEST(CompareResults, MatchesConfigsAndComputesPerStageStatistics) {
  json a = results_doc(), b = results_doc();
  add_runs(a, "P0", "total", {1000, 1010, 990, 1005, 995});
  add_runs(b, "P0", "total", {1200, 1210, 1190, 1205, 1195});
  add_runs(a, "P1", "total", {800, 800, 800});
  add_runs(b, "P2", "total", {700, 700, 700});
  const Comparison c = compare(a, b);
  ASSERT_EQ(c.configs.size(), 1u);
  EXPECT_EQ(c.configs[0].config, "P0");
  EXPECT_EQ(c.only_in_baseline, std::vector<std::string>{"P1"});
  EXPECT_EQ(c.only_in_candidate, std::vector<std::string>{"P2"});
  const StageComparison& t = stage(c, "P0", "total");
  EXPECT_EQ(t.baseline.median, 1000);
  EXPECT_EQ(t.candidate.median, 1200);
  EXPECT_DOUBLE_EQ(t.ratio.ratio, 1.2);
  EXPECT_DOUBLE_EQ(t.test.p_value, 2.0 / 252);  // complete separation, 5 vs 5
  EXPECT_EQ(t.baseline.values, (std::vector<double>{1000, 1010, 990, 1005, 995}));  // repetition order
  const StageComparison& r = stage(c, "P0", "route");
  EXPECT_EQ(r.ratio.ratio, 1);
  EXPECT_EQ(r.test.p_value, 1);  // every value 100 on both sides
}

TEST(CompareResults, MetricP99ReadsP99) {
  json a = results_doc(), b = results_doc();
  add_runs(a, "P0", "total", {1000, 1000, 1000});
  add_runs(b, "P0", "total", {1500, 1500, 1500});
  CompareSettings s;
  s.metric = Metric::p99;
  s.stages = {"total"};
  const Comparison c = compare(a, b, s);
  EXPECT_EQ(stage(c, "P0", "total").baseline.median, 2000);
  EXPECT_EQ(c.configs[0].stages.size(), 1u);
}

TEST(CompareResults, StageNobodyWentThroughIsNotExercised) {
  json a = results_doc(), b = results_doc();
  add_runs(a, "P1", "total", {1000, 1000, 1000}, 100, {"dispatch"});
  add_runs(b, "P1", "total", {1000, 1000, 1000}, 100, {"dispatch"});
  EXPECT_FALSE(stage(compare(a, b), "P1", "dispatch").exercised);
  EXPECT_TRUE(stage(compare(a, b), "P1", "gil").exercised);
}

TEST(CompareResults, UnsupportedConfigurationsAreNotCompared) {
  json a = results_doc(), b = results_doc();
  add_runs(a, "P0", "total", {1000, 1000, 1000});
  add_runs(b, "P0", "total", {1000, 1000, 1000});
  add_runs(a, "P3", "total", {900, 900, 900});
  add_unsupported(b, "P3");
  const Comparison c = compare(a, b);
  ASSERT_EQ(c.configs.size(), 1u);
  EXPECT_EQ(c.only_in_baseline, std::vector<std::string>{"P3"});
}

TEST(CompareResults, NoCommonConfigurationIsAUsageError) {
  json a = results_doc(), b = results_doc();
  add_runs(a, "P0", "total", {1000});
  add_runs(b, "P1", "total", {1000});
  try {
    compare(a, b);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "no configuration measured in both files (baseline: P0; candidate: P1)");
  }
}

TEST(ParseStageList, KnownStagesInOrderUnknownRejected) {
  EXPECT_EQ(parse_stage_list("total, dispatch,total"), (std::vector<std::string>{"total", "dispatch"}));
  EXPECT_EQ(parse_stage_list("").size(), 11u);
  try {
    parse_stage_list("total,dispach");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown stage 'dispach' (accepted: route, dispatch, gil, marshal, handler, future, other, total, recv, send, queue)");
  }
}

TEST(ContextDifferences, ListsWhatMakesRunsIncomparable) {
  json a = results_doc("CPU A", "3.13.0"), b = results_doc("CPU B", "3.12.1");
  b["context"]["options"]["FASTERBENCH_OPT_DIRECT"] = false;
  b["context"]["git_revision"] = "def456";   // expected to differ: not listed
  b["context"]["host"] = "other-host";        // likewise
  b["config"]["inject_delay"] = {{"stage", "dispatch"}, {"ns", 2000}, {"spec", "dispatch=2000"}};
  const auto d = context_differences(a, b);
  std::vector<std::string> keys;
  for (const auto& x : d) keys.push_back(x.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"cpu_model", "python.version", "options.FASTERBENCH_OPT_DIRECT",
                                            "config.inject_delay"}));
  EXPECT_EQ(d[0].baseline, "CPU A");
  EXPECT_EQ(d[0].candidate, "CPU B");
  EXPECT_EQ(d[3].baseline, "none");
  EXPECT_TRUE(context_differences(a, a).empty());
}

TEST(ContextDifferences, PlacementHashSeedAndAslrMakeRunsIncomparable) {
  json a = results_doc("CPU A", "3.13.0"), b = results_doc("CPU A", "3.13.0");
  a["context"]["placement"] = {{"policy", "shared"}, {"cpus", {0, 1}}};
  a["context"]["process"] = {{"hash_seed", 0}, {"aslr", "off"}, {"environment", "fixed"}};
  b["context"]["placement"] = {{"policy", "off"}, {"cpus", {0, 1}}};
  b["context"]["process"] = {{"hash_seed", "random"}, {"aslr", "on"}, {"environment", "fixed"}};
  const auto d = context_differences(a, b);
  std::vector<std::string> keys;
  for (const auto& x : d) keys.push_back(x.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"placement.policy", "process.hash_seed", "process.aslr"}));
  EXPECT_EQ(d[0].baseline, "shared");
  EXPECT_EQ(d[0].candidate, "off");
  EXPECT_EQ(d[1].baseline, "0");
  EXPECT_EQ(d[1].candidate, "random");
  // A baseline from before placement was recorded differs too: "none".
  json old = results_doc("CPU A", "3.13.0");
  EXPECT_EQ(context_differences(old, a).front().baseline, "none");
}

TEST(ValidateResults, OneLineMessagesNamingTheProblem) {
  auto message = [](const json& doc) {
    try {
      validate_results(doc, "X.json");
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("valid");
  };
  EXPECT_EQ(message(json::object()), "X.json: not a fasterbench results document (no schema_version or runs)");
  json newer = results_doc();
  newer["schema_version"] = 99;
  EXPECT_EQ(message(newer), "X.json: written by a newer fasterbench (schema_version 99; this one reads up to 1)");
  json broken = results_doc();
  add_runs(broken, "P0", "total", {1000});
  broken["runs"][0]["stages"]["gil"].erase("p50_ns");
  EXPECT_EQ(message(broken), "X.json: runs[0] (P0): stages.gil.p50_ns is missing or not a number");
  json ok = results_doc();
  add_runs(ok, "P0", "total", {1000});
  add_unsupported(ok, "P3");
  EXPECT_EQ(message(ok), "valid");
}

TEST(ReadResultsFile, MissingAndCorruptFiles) {
  EXPECT_THROW(read_results_file("/nonexistent/x.json"), UsageError);
  const std::string path = ::testing::TempDir() + "/corrupt.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("{\"schema_version\": 1, \"runs\": [", f);
    std::fclose(f);
  }
  try {
    read_results_file(path);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
}

TEST(ComparisonReport, JsonCarriesTheDataAndTextAndMarkdownRenderIt) {
  json a = results_doc(), b = results_doc("Other CPU");
  add_runs(a, "P0", "total", {1000, 1010, 990, 1005, 995});
  add_runs(b, "P0", "total", {1200, 1210, 1190, 1205, 1195});
  CompareSettings s;
  s.stages = {"total", "route"};
  const Comparison c = compare(a, b, s);
  const json j = comparison_to_json(c, 0.01);
  EXPECT_EQ(j["kind"], "fasterbench-comparison");
  EXPECT_EQ(j["metric"], "p50");
  const json& total = j["configs"][0]["stages"][0];
  EXPECT_EQ(total["stage"], "total");
  EXPECT_EQ(total["baseline"]["median"], 1000);
  EXPECT_EQ(total["candidate"]["n"], 5);
  EXPECT_DOUBLE_EQ(total["ratio"].get<double>(), 1.2);
  EXPECT_EQ(total["mann_whitney"]["method"], "exact");
  EXPECT_TRUE(total["significant"].get<bool>());
  EXPECT_EQ(j["context_differences"][0]["key"], "cpu_model");

  const std::string text = render_comparison_text(c, 0.01);
  EXPECT_NE(text.find("+20.0 %"), std::string::npos) << text;
  EXPECT_NE(text.find("0.0079 *"), std::string::npos) << text;
  EXPECT_NE(text.find("warning: the two results differ in cpu_model: baseline 'Test CPU', candidate 'Other CPU'"),
            std::string::npos)
      << text;
  const std::string md = render_comparison_markdown(c, 0.01);
  EXPECT_NE(md.find("| P0 | total | 5/5 | 1.00 µs | 1.20 µs | +20.0 % |"), std::string::npos) << md;
}
