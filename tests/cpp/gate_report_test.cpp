// The gate's renderings, tested with rules (must contain / must not contain), per output.
#include "harness/compare/gate_report.h"

#include "harness/compare/gate_json.h"

#include <gtest/gtest.h>

#include <map>

#include "results_builder.h"

using namespace fb::harness;
using fb::testing::add_runs;
using nlohmann::json;

namespace {

// P0: dispatch +200 % (REGRESSION), total unchanged (PASS); P1: total noisy (INCONCLUSIVE).
struct Fixture {
  json a = fb::testing::results_doc("CPU <A>"), b = fb::testing::results_doc("CPU B");
  Comparison comparison;
  GateResult result;
  Fixture() {
    add_runs(a, "P0", "dispatch", {1000, 1010, 990, 1005, 995});
    add_runs(b, "P0", "dispatch", {3000, 3010, 2990, 3005, 2995});
    add_runs(a, "P1", "total", {1000, 900, 1100, 950, 1050});
    add_runs(b, "P1", "total", {1000, 1150, 880, 1020, 1100});
    CompareSettings s;
    s.stages = {"dispatch", "total"};
    comparison = compare_results(a, source_info(a, "base.json"), b, source_info(b, "cand.json"), s);
    result = judge(comparison, {});
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(Escaping, XmlAndWorkflowCommands) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(github_escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
  EXPECT_EQ(github_escape_property("gate: P0, total"), "gate%3A P0%2C total");
}

TEST(GateText, TableReasonsAndOverallLine) {
  const Fixture f;
  const std::string text = render_gate_text(f.comparison, f.result);
  EXPECT_TRUE(contains(text, "REGRESSION")) << text;
  EXPECT_TRUE(contains(text, "P0 dispatch REGRESSION: slower by +200.0 %")) << text;
  EXPECT_TRUE(contains(text, "P1 total INCONCLUSIVE: ")) << text;
  EXPECT_TRUE(contains(text, "\ngate: REGRESSION: P0 dispatch · 1 regression(s), 1 inconclusive, 0 improvement(s), 2 pass, of 4 check(s)\n"))
      << text;
  EXPECT_FALSE(contains(text, "warning:")) << text;  // warnings go to stderr, printed by the command
}

TEST(GateJson, EveryStageCarriesItsVerdictOnTheComparisonData) {
  const Fixture f;
  const json doc = gate_to_json(f.comparison, f.result, {"the two results differ in cpu_model"});
  EXPECT_EQ(doc.at("kind"), "fasterbench-gate");
  EXPECT_EQ(doc.at("gate_schema_version"), kGateSchemaVersion);
  EXPECT_EQ(doc.at("overall"), "REGRESSION");
  EXPECT_EQ(doc.at("exit_status"), 1);
  EXPECT_EQ(doc.at("threshold"), 0.05);
  EXPECT_EQ(doc.at("min_effect_ns"), 100);
  EXPECT_EQ(doc.at("alpha"), 0.01);
  EXPECT_EQ(doc.at("metric"), "p50");
  EXPECT_EQ(doc.at("warnings"), json::array({"the two results differ in cpu_model"}));
  ASSERT_EQ(doc.at("configs").size(), 2u);
  std::map<std::string, std::string> verdicts;
  for (const json& config : doc.at("configs")) {
    for (const json& stage : config.at("stages")) {
      verdicts[config.at("config").get<std::string>() + " " + stage.at("stage").get<std::string>()] = stage.at("verdict");
      EXPECT_TRUE(stage.at("reason").is_string() && !stage.at("reason").get<std::string>().empty()) << stage;
    }
  }
  // P0 total and P1 dispatch are the same 100 ns on both sides.
  const std::map<std::string, std::string> expected = {
      {"P0 dispatch", "REGRESSION"}, {"P0 total", "PASS"}, {"P1 dispatch", "PASS"}, {"P1 total", "INCONCLUSIVE"}};
  EXPECT_EQ(verdicts, expected);
  const json& regression = doc.at("configs").at(0).at("stages").at(0);
  EXPECT_NEAR(regression.at("ratio").get<double>(), 3.0, 0.01);
  EXPECT_EQ(regression.at("baseline").at("values").size(), 5u);
  EXPECT_EQ(regression.at("repetitions_needed"), 0);
  EXPECT_GT(doc.at("configs").at(1).at("stages").at(1).at("repetitions_needed").get<int>(), 0);
}

TEST(GateGithub, ErrorPerRegressionWarningPerInconclusiveAndContextWarning) {
  const Fixture f;
  const std::string out = render_github_annotations(f.comparison, f.result);
  EXPECT_TRUE(contains(out, "::error title=fasterbench gate%3A P0 dispatch REGRESSION::P0 dispatch p50: slower by +200.0 %25 (95 %25 CI "))
      << out;
  EXPECT_TRUE(contains(out, "::warning title=fasterbench gate%3A P1 total INCONCLUSIVE::P1 total p50: ")) << out;
  EXPECT_TRUE(contains(out, "::warning title=fasterbench gate%3A warning::the two results differ in cpu_model")) << out;
  EXPECT_FALSE(contains(out, "::error title=fasterbench gate%3A P0 total")) << out;  // PASS: no annotation
  for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_EQ(out.compare(start, 2, "::"), 0) << "every line is one workflow command: " << out;
  }
}

TEST(GateJunit, OneTestcasePerConfigAndStageWithFailureOrSkipped) {
  const Fixture f;
  const std::string xml = render_junit(f.comparison, f.result);
  EXPECT_TRUE(contains(xml, "<testsuite name=\"fasterbench gate\" tests=\"4\" failures=\"1\" skipped=\"1\" errors=\"0\""))
      << xml;
  EXPECT_TRUE(contains(xml, "<testcase classname=\"fasterbench.gate.P0\" name=\"dispatch p50\"")) << xml;
  EXPECT_TRUE(contains(xml, "<testcase classname=\"fasterbench.gate.P1\" name=\"total p50\"")) << xml;
  EXPECT_TRUE(contains(xml, "<failure type=\"REGRESSION\" message=\"fasterbench gate: P0 dispatch REGRESSION\">")) << xml;
  EXPECT_TRUE(contains(xml, "<skipped message=\"INCONCLUSIVE: ")) << xml;
  EXPECT_TRUE(contains(xml, "<property name=\"repetitions_needed\" value=\"")) << xml;
  EXPECT_TRUE(contains(xml, "<property name=\"verdict\" value=\"PASS\"/>")) << xml;
  EXPECT_TRUE(contains(xml, "CPU &lt;A&gt;")) << xml;  // warning text, escaped, in <system-err>
  EXPECT_FALSE(contains(xml, "CPU <A>")) << xml;
  // Exactly as many testcases as checks, and balanced.
  std::size_t open = 0, close = 0;
  for (std::size_t p = 0; (p = xml.find("<testcase ", p)) != std::string::npos; ++p) ++open;
  for (std::size_t p = 0; (p = xml.find("</testcase>", p)) != std::string::npos; ++p) ++close;
  EXPECT_EQ(open, 4u);
  EXPECT_EQ(close, 4u);
}

TEST(GateMarkdown, HeadingTableAndWarnings) {
  const Fixture f;
  const std::string md = render_gate_markdown(f.comparison, f.result);
  EXPECT_EQ(md.rfind("## fasterbench gate: REGRESSION\n", 0), 0u) << md;
  EXPECT_TRUE(contains(md, "| config | stage | n (b/c) | baseline | candidate | change | 95% CI of change | p | limit | verdict |"))
      << md;
  EXPECT_TRUE(contains(md, "| P0 | dispatch | 5/5 | 1.00 µs | 3.00 µs | +200.0 % |")) << md;
  EXPECT_TRUE(contains(md, "| **REGRESSION** |")) << md;
  EXPECT_TRUE(contains(md, "- the two results differ in cpu_model")) << md;
}
