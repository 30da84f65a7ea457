// The statistics over repetitions, computed from typed run summaries, render exactly as the
// harness wrote them before they became typed records. The fixture is a real
// `phases --scenario scenarios/mixed.toml --repetitions 3 --ablation` document written by that
// earlier harness, trimmed to what the statistics read (tests/fixtures/statistics_golden.json),
// so any change in a figure, a key or a number's formatting shows up here. Its aggregates have
// since gained the `queue` stage (count 0, as every closed-loop run has it) and error_rate,
// error_rate_exceeded and route_errors (0, false and [] here).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/results/statistics_json.h"
#include "harness/results/summaries.h"

namespace fb::harness {
namespace {

using nlohmann::json;

json golden() {
  std::ifstream in(FASTERBENCH_SOURCE_DIR "/tests/fixtures/statistics_golden.json");
  return json::parse(in);
}

std::vector<RunSummary> summaries(const json& doc) {
  std::vector<RunSummary> runs;
  for (const json& r : doc.at("runs")) runs.push_back(run_summary_from_json(r));
  return runs;
}

TEST(StatisticsGolden, AggregatesRenderAsTheDocumentHoldsThem) {
  const json doc = golden();
  ASSERT_GT(doc.at("aggregates").size(), 20u);
  EXPECT_EQ(aggregates_to_json(aggregate_configurations(summaries(doc))).dump(1), doc.at("aggregates").dump(1));
}

TEST(StatisticsGolden, AblationAndInstrumentationTaxRenderAsTheDocumentHoldsThem) {
  const json doc = golden();
  const std::vector<RunSummary> runs = summaries(doc);
  ASSERT_EQ(doc.at("ablation").size(), 5u);
  EXPECT_EQ(ablation_to_json(ablation(runs)).dump(1), doc.at("ablation").dump(1));
  EXPECT_EQ(instrumentation_tax_to_json(instrumentation_tax(runs)).dump(1), doc.at("instrumentation_tax").dump(1));
}

}  // namespace
}  // namespace fb::harness
