// Errors per configuration over its repetitions (harness/stats/error_rates.h) and the
// --max-error-rate check, on hand-built run summaries with a known answer.
#include "harness/stats/error_rates.h"

#include <gtest/gtest.h>

#include "harness/cli/exit_codes.h"
#include "harness/stats/configuration_aggregate.h"

namespace {

using fb::harness::ErrorMessage;
using fb::harness::RouteSummary;
using fb::harness::RunSummary;

RouteSummary route(std::size_t index, std::uint64_t requests, std::uint64_t errors, std::vector<ErrorMessage> messages) {
  RouteSummary r;
  r.route = index;
  r.method = "GET";
  r.path = "/r" + std::to_string(index);
  r.requests = requests;
  r.errors = errors;
  r.error_messages = std::move(messages);
  return r;
}

RunSummary run(std::uint64_t requests, std::vector<RouteSummary> routes) {
  RunSummary s;
  s.config = "P0";
  s.requests = requests;
  for (const RouteSummary& r : routes) s.errors += r.errors;
  s.routes = std::move(routes);
  return s;
}

TEST(ErrorRates, SumsOverRepetitionsAndMergesTheSameMessage) {
  const RunSummary a = run(1000, {route(0, 600, 0, {}), route(1, 400, 10, {{"ValueError", "boom", "m:f", 10}})});
  const RunSummary b = run(1000, {route(0, 600, 0, {}),
                                  route(1, 400, 30, {{"ValueError", "boom", "m:f", 20}, {"KeyError", "'x'", "m:f", 10}})});
  const fb::harness::ErrorSummary s = fb::harness::summarize_errors({&a, &b});
  EXPECT_EQ(s.requests, 2000u);
  EXPECT_EQ(s.errors, 40u);
  EXPECT_DOUBLE_EQ(s.rate, 0.02);
  ASSERT_EQ(s.routes.size(), 1u) << "only routes with errors";
  EXPECT_EQ(s.routes[0].route, 1u);
  EXPECT_EQ(s.routes[0].requests, 800u);
  EXPECT_EQ(s.routes[0].errors, 40u);
  ASSERT_EQ(s.routes[0].messages.size(), 2u);
  EXPECT_EQ(s.routes[0].messages[0].type, "ValueError");
  EXPECT_EQ(s.routes[0].messages[0].count, 30u);
  EXPECT_EQ(s.routes[0].messages[1].type, "KeyError");
}

TEST(ErrorRates, CrashedRepetitionsAreNotCounted) {
  const RunSummary ok = run(1000, {route(0, 1000, 5, {{"ValueError", "boom", "m:f", 5}})});
  RunSummary crashed = run(0, {});
  crashed.crashed = "signal 6 (SIGABRT)";
  const fb::harness::ErrorSummary s = fb::harness::summarize_errors({&ok, &crashed});
  EXPECT_EQ(s.requests, 1000u);
  EXPECT_DOUBLE_EQ(s.rate, 0.005);
}

TEST(ErrorRates, NoRequestsIsARateOfZero) {
  EXPECT_DOUBLE_EQ(fb::harness::summarize_errors({}).rate, 0.0);
}

TEST(ErrorRates, TheLimitIsExclusiveAndOffMeansNone) {
  fb::harness::ErrorSummary s;
  s.rate = 0.01;
  EXPECT_FALSE(fb::harness::exceeds_error_rate(s, 0.01));
  EXPECT_TRUE(fb::harness::exceeds_error_rate(s, 0.009));
  s.rate = 1.0;
  EXPECT_FALSE(fb::harness::exceeds_error_rate(s, std::nullopt));
}

TEST(ErrorRates, ParsesTheOptionAndRejectsNonsense) {
  EXPECT_EQ(fb::harness::parse_max_error_rate("off"), std::nullopt);
  EXPECT_DOUBLE_EQ(*fb::harness::parse_max_error_rate("0.01"), 0.01);
  EXPECT_DOUBLE_EQ(*fb::harness::parse_max_error_rate("0"), 0.0);
  EXPECT_DOUBLE_EQ(*fb::harness::parse_max_error_rate("1"), 1.0);
  for (const char* bad : {"", "1.5", "-0.1", "1%", "nan", "inf", "0.01x", "ten"}) {
    EXPECT_THROW(fb::harness::parse_max_error_rate(bad), fb::harness::UsageError) << bad;
  }
}

TEST(ErrorRates, TheAggregateMarksOnlyConfigurationsOverTheLimit) {
  RunSummary bad = run(100, {route(0, 100, 50, {{"ValueError", "boom", "m:f", 50}})});
  bad.config = "P0";
  RunSummary good = run(100, {route(0, 100, 0, {})});
  good.config = "P1";
  std::vector<fb::harness::ConfigurationAggregate> aggregates = fb::harness::aggregate_configurations({bad, good});
  ASSERT_EQ(aggregates.size(), 2u);
  EXPECT_EQ(fb::harness::mark_error_rate_limit(aggregates, 0.01), 1u);
  EXPECT_TRUE(aggregates[0].error_summary.over_limit);
  EXPECT_FALSE(aggregates[1].error_summary.over_limit);
  EXPECT_EQ(fb::harness::mark_error_rate_limit(aggregates, std::nullopt), 0u);
  EXPECT_FALSE(aggregates[0].error_summary.over_limit);
}

}  // namespace
