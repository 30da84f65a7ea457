// Reading results back (harness/results/results_reader.h): what is accepted, and that every
// refusal is a UsageError (exit 2) naming the file, never another exception.
#include "harness/results/results_reader.h"

#include <gtest/gtest.h>

#include "harness/cli/exit_codes.h"

namespace {

using fb::harness::parse_results_text;
using fb::harness::UsageError;

std::string refusal(std::string_view text) {
  try {
    parse_results_text(text, "r.json");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "<accepted>";
}

TEST(ResultsReader, AcceptsADocumentWithMeasuredUnsupportedAndCrashedRuns) {
  const auto doc = parse_results_text(R"j({"schema_version": 1, "runs": [
      {"config": "P0", "repetition": 0, "stages": {"total": {"count": 1, "p50_ns": 2, "p99_ns": 3}}},
      {"config": "P3", "supported": false},
      {"config": "P4", "crashed": "signal 6 (SIGABRT)"}]})j",
                                      "r.json");
  EXPECT_EQ(doc.at("runs").size(), 3u);
}

TEST(ResultsReader, RefusalsNameTheFileAndTheProblem) {
  EXPECT_EQ(refusal("{"), "r.json: not valid JSON (at byte 2)");
  EXPECT_EQ(refusal(R"({"schema_version": 1, "runs": {}})"), "r.json: runs is not an array");
  EXPECT_NE(refusal(R"({"schema_version": 99, "runs": []})").find("written by a newer fasterbench"), std::string::npos);
  EXPECT_NE(refusal(R"({"schema_version": 1, "runs": [{"config": "P0", "crashed": 1}]})").find("crashed is not a text"),
            std::string::npos);
}

// Found by tests/fuzz (regressions/results_reader/): a number too large for a double is valid
// JSON syntax that nlohmann::json refuses with out_of_range, which escaped as a crash.
TEST(ResultsReader, ANumberTooLargeIsARefusalNotACrash) {
  const std::string r = refusal(R"({"schema_version": 1, "runs": [], "x": 9e3111111111})");
  EXPECT_EQ(r.rfind("r.json: cannot be read as JSON", 0), 0u) << r;
}

// Found while writing the fuzz target (regressions/results_reader/supported-not-a-boolean.json):
// json::value("supported", true) throws type_error on a non-boolean.
TEST(ResultsReader, ASupportedThatIsNotABooleanIsARefusal) {
  EXPECT_EQ(refusal(R"({"schema_version": 1, "runs": [{"config": "P0", "supported": "yes"}]})"),
            "r.json: runs[0]: supported is not true or false");
}

}  // namespace
