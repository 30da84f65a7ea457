// Trace replay: single lines of each format parsed (odd ones too), and whole traces turned into
// a schedule on a scenario (matching, [[replay.map]], counts, timing, malformed lines).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/load/replay.h"
#include "harness/load/trace_parse.h"
#include "harness/scenario/scenario.h"
#include "python_test_env.h"

namespace fb::harness {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  static int n = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("fb_trace_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) + "_" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

// A copy: the parsed line is a temporary.
TraceRequest request_of(const TraceLine& line) {
  if (const auto* reason = std::get_if<std::string>(&line)) ADD_FAILURE() << "malformed: " << *reason;
  const auto* r = std::get_if<TraceRequest>(&line);
  return r ? *r : TraceRequest{};
}

std::string reason_of(const TraceLine& line) {
  const auto* reason = std::get_if<std::string>(&line);
  return reason ? *reason : "";
}

TEST(TraceParse, JsonlLineWithEverything) {
  const TraceRequest r = request_of(parse_jsonl_line(
      R"({"t": 1.25, "method": "POST", "path": "/items/7%20x?verbose=1&q=a%26b", "headers": {"X-A": "1"}, "body": "{}"})"));
  EXPECT_EQ(r.t, 1.25);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/items/7 x");
  EXPECT_EQ(r.query, "verbose=1&q=a%26b");
  EXPECT_EQ(r.raw_target, "/items/7%20x?verbose=1&q=a%26b");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "X-A");
  EXPECT_EQ(r.body, "{}");
}

TEST(TraceParse, JsonlDefaultsAndErrors) {
  const TraceRequest r = request_of(parse_jsonl_line(R"({"path": "/hello"})"));
  EXPECT_EQ(r.method, "GET");
  EXPECT_FALSE(r.t);
  EXPECT_TRUE(std::holds_alternative<BlankLine>(parse_jsonl_line("   \t")));
  EXPECT_NE(reason_of(parse_jsonl_line("{\"path\": ")).find("not JSON"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line("[1]")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"t": 1})")).find("no \"path\""), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"t": -1, "path": "/a"})")).find("\"t\""), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"t": "x", "path": "/a"})")).find("not a number"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"method": "G T", "path": "/a"})")).find("HTTP token"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"path": "/a b"})")).find("space or control"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"path": "/a%zz"})")).find("percent-encoding"), std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"path": "/a", "headers": {"X": "a\r\nB: c"}})")).find("line break"),
            std::string::npos);
  EXPECT_NE(reason_of(parse_jsonl_line(R"({"path": "/a", "body": 3})")).find("\"body\""), std::string::npos);
}

// Found by fuzz_trace_parser (tests/fuzz/regressions/trace_parser/jsonl-time-beyond-double):
// a number valid in JSON's syntax but beyond a double made the JSON library throw an exception
// the parser did not catch, which ended `run --replay` instead of counting a malformed line.
TEST(TraceParse, JsonlNumberBeyondADoubleIsAMalformedLine) {
  EXPECT_EQ(reason_of(parse_jsonl_line(R"({"t": 1e018894, "path": "/hello"})")), "a number too large for a double");
  EXPECT_EQ(reason_of(parse_jsonl_line(R"({"path": "/hello", "x": -9e999})")), "a number too large for a double");
}

TEST(TraceParse, CombinedAndCommonLines) {
  const TraceRequest r = request_of(parse_combined_line(
      R"L(203.0.113.9 - frank [10/Oct/2023:13:55:36 -0700] "GET /items/42?verbose=1 HTTP/1.1" 200 2326 "http://x/" "Mozilla/5.0 (X11)")L"));
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/items/42");
  EXPECT_EQ(r.query, "verbose=1");
  // 2023-10-10 20:55:36 UTC.
  EXPECT_EQ(r.t, 1696971336.0);
  const TraceRequest common =
      request_of(parse_combined_line(R"(::1 - - [01/Jan/1970:00:00:01 +0000] "DELETE /x HTTP/1.0" 404 -)"));
  EXPECT_EQ(common.method, "DELETE");
  EXPECT_EQ(common.t, 1.0);
  // nginx escapes, an absolute-form target, a fragment.
  const TraceRequest odd = request_of(parse_combined_line(
      R"(h - - [01/Jan/2024:00:00:00 +0000] "GET http://example.com/a%2Fb?q=\x22x\x22#frag HTTP/1.1" 200 1 "-" "-")"));
  EXPECT_EQ(odd.path, "/a/b");
  EXPECT_EQ(odd.query, "q=\"x\"");
}

TEST(TraceParse, CombinedMalformedLinesSayWhy) {
  EXPECT_NE(reason_of(parse_combined_line("just some words")).find("[time]"), std::string::npos);
  EXPECT_NE(reason_of(parse_combined_line(R"(h - - [99/Foo/2023:00:00:00 +0000] "GET / HTTP/1.1" 200 1)")).find("time"),
            std::string::npos);
  EXPECT_NE(reason_of(parse_combined_line(R"(h - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1)")).find("unterminated"),
            std::string::npos);
  EXPECT_NE(reason_of(parse_combined_line(R"(h - - [01/Jan/2024:00:00:00 +0000] "-" 400 0)")).find("no request line"),
            std::string::npos);
  EXPECT_NE(reason_of(parse_combined_line(R"(h - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 2x0 1)")).find("status"),
            std::string::npos);
  // A TLS handshake sent to a plain-HTTP port, as nginx logs it.
  EXPECT_FALSE(reason_of(parse_combined_line(R"(h - - [01/Jan/2024:00:00:00 +0000] "\x16\x03\x01" 400 0)")).empty());
}

TEST(TraceParse, ClfTimeAndPercentDecoding) {
  EXPECT_EQ(parse_clf_time("01/Jan/1970:00:00:00 +0000"), 0);
  EXPECT_EQ(parse_clf_time("01/Jan/1970:01:00:00 +0100"), 0);
  EXPECT_EQ(parse_clf_time("29/Feb/2024:12:00:00 +0000"), 1709208000);
  EXPECT_EQ(parse_clf_time("29/Feb/2024:12:00:00"), std::nullopt);
  EXPECT_EQ(percent_decode("/a%20b%2f"), "/a b/");
  EXPECT_EQ(percent_decode("%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%00"), std::nullopt);
}

class Replay : public ::testing::Test {
 protected:
  // mixed.toml's routes (/hello, /items/{id}, /slow, /async) and a map rule for /legacy/*.
  static Scenario scenario() {
    Scenario s = load_scenario(fb::test::source_path("scenarios/mixed.toml"));
    ReplayMapRule rule;
    rule.prefix = "/legacy/";
    rule.route = 0;
    s.replay_map.push_back(rule);
    return s;
  }
};

TEST_F(Replay, CountsMatchedMappedUnmatchedMalformedAndBlank) {
  const std::string file = write_temp("t.jsonl",
                                      "{\"t\": 0, \"path\": \"/hello\"}\n"
                                      "{\"t\": 0.5, \"path\": \"/items/3?verbose=1\"}\n"
                                      "\n"
                                      "{\"t\": 1.0, \"path\": \"/legacy/old\"}\n"
                                      "{\"t\": 1.5, \"path\": \"/nowhere\"}\n"
                                      "{\"t\": 1.5, \"path\": \"/nowhere\"}\n"
                                      "not json\r\n"
                                      "{\"t\": 2.0, \"path\": \"/hello\"}\n");
  const auto plan = plan_replay(scenario(), {file, TraceFormat::jsonl, 2.0});
  const ReplayReport& r = plan->report;
  EXPECT_EQ(r.lines, 8u);
  EXPECT_EQ(r.blank, 1u);
  EXPECT_EQ(r.requests, 4u);
  EXPECT_EQ(r.routed, 3u);
  EXPECT_EQ(r.mapped, 1u);
  EXPECT_EQ(r.unmatched, 2u);
  ASSERT_EQ(r.top_unmatched.size(), 1u);
  EXPECT_EQ(r.top_unmatched[0].path, "/nowhere");
  EXPECT_EQ(r.top_unmatched[0].count, 2u);
  EXPECT_EQ(r.malformed, 1u);
  ASSERT_EQ(r.first_malformed.size(), 1u);
  EXPECT_EQ(r.first_malformed[0].line, 7u);
  // Recorded times over speed 2; /hello twice shares one table entry.
  const ArrivalSchedule& s = plan->schedule;
  ASSERT_EQ(s.arrivals.size(), 4u);
  EXPECT_EQ(s.arrivals[0].at_ns, 0);
  EXPECT_EQ(s.arrivals[1].at_ns, 250'000'000);
  EXPECT_EQ(s.arrivals[2].at_ns, 500'000'000);
  EXPECT_EQ(s.arrivals[3].at_ns, 1'000'000'000);
  EXPECT_EQ(s.arrivals[0].request, s.arrivals[3].request);
  EXPECT_EQ(plan->table.size(), 3u);
  EXPECT_EQ(plan->table.route(s.arrivals[1].request), 1u);
  EXPECT_EQ(plan->table.spec(s.arrivals[1].request).query, "verbose=1");
  EXPECT_EQ(plan->table.route(s.arrivals[2].request), 0u);  // mapped: /hello's own request
  EXPECT_EQ(plan->table.spec(s.arrivals[2].request).path, "/hello");
  std::filesystem::remove(file);
}

TEST_F(Replay, StrictNamesFileAndLine) {
  const std::string file = write_temp("t.jsonl", "{\"t\": 0, \"path\": \"/hello\"}\n{\"t\": 1, \"path\": 5}\n");
  ReplayRequest req{file, TraceFormat::jsonl};
  req.strict = true;
  try {
    plan_replay(scenario(), req);
    ADD_FAILURE() << "no error";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find(file + ":2: "), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}

TEST_F(Replay, NothingMatchedOrNoFileIsAnError) {
  const std::string file = write_temp("t.jsonl", "{\"t\": 0, \"path\": \"/zzz\"}\n");
  EXPECT_THROW(plan_replay(scenario(), {file, TraceFormat::jsonl}), ReplayError);
  EXPECT_THROW(plan_replay(scenario(), {file + ".missing", TraceFormat::jsonl}), ReplayError);
  std::filesystem::remove(file);
}

// Found by fuzz_trace_parser (tests/fuzz/regressions/trace_parser/combined-years-apart): a log
// line with a mistyped year put the recorded times ~1,900 years apart, and the arrival times in
// nanoseconds overflowed into a schedule out of order. Such a replay is now refused, naming the
// lines; a tiny --speed that would stretch a trace as far is refused the same way.
TEST_F(Replay, AReplayTooLongToScheduleIsAnErrorNamingTheLines) {
  const std::string file = write_temp("t.log",
                                      "10.0.0.1 - - [10/Oct/2023:13:55:36 +0200] \"GET /hello HTTP/1.1\" 200 5\n"
                                      "10.0.0.2 - - [10/Oct/0106:13:55:37 -0030] \"GET /hello HTTP/1.1\" 200 5\n");
  try {
    plan_replay(scenario(), {file, TraceFormat::combined});
    ADD_FAILURE() << "no error";
  } catch (const ReplayError& e) {
    EXPECT_NE(std::string(e.what()).find(file + ": the recorded times span "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(line 2 to line 1)"), std::string::npos) << e.what();
  }
  const std::string jsonl = write_temp("t.jsonl", "{\"t\": 0, \"path\": \"/hello\"}\n{\"t\": 10, \"path\": \"/hello\"}\n");
  ReplayRequest slow{jsonl, TraceFormat::jsonl};
  slow.speed = 1e-9;  // 20 s of recorded window -> 2e10 s
  EXPECT_THROW(plan_replay(scenario(), slow), ReplayError);
  slow.speed = 1e-7;  // 2e8 s: long, but it can be scheduled, in order
  const auto plan = plan_replay(scenario(), slow);
  ASSERT_EQ(plan->schedule.arrivals.size(), 2u);
  EXPECT_EQ(plan->schedule.arrivals[1].at_ns, 100'000'000'000'000'000);
  std::filesystem::remove(file);
  std::filesystem::remove(jsonl);
}

TEST_F(Replay, AccessLogSecondsAreSpreadInsideTheSecondSeeded) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += R"(h - - [01/Jan/2024:00:00:00 +0000] "GET /hello HTTP/1.1" 200 5)" "\n";
  for (int i = 0; i < 50; ++i) text += R"(h - - [01/Jan/2024:00:00:02 +0000] "GET /hello HTTP/1.1" 200 5)" "\n";
  // An overlong line is malformed, not held.
  text += std::string(kMaxTraceLine + 10, 'x') + "\n";
  const std::string file = write_temp("access.log", text);
  ReplayRequest req{file, TraceFormat::combined};
  req.seed = 5;
  const auto a = plan_replay(scenario(), req), b = plan_replay(scenario(), req);
  ASSERT_EQ(a->schedule.arrivals.size(), 100u);
  EXPECT_EQ(a->report.malformed, 1u);
  EXPECT_EQ(a->report.first_malformed[0].line, 101u);
  for (std::size_t i = 0; i < 100; ++i) {
    const std::int64_t at = a->schedule.arrivals[i].at_ns;
    const std::int64_t second = i < 50 ? 0 : 2'000'000'000;
    EXPECT_GE(at, second);
    EXPECT_LT(at, second + 1'000'000'000);
    EXPECT_EQ(at, b->schedule.arrivals[i].at_ns);  // same seed, same offsets
    if (i > 0) {
      EXPECT_GE(at, a->schedule.arrivals[i - 1].at_ns);
    }
  }
  // The window runs to the end of the last second: 3 s, 100 requests.
  EXPECT_EQ(a->schedule.window_ns, 3'000'000'000);
  req.seed = 6;
  const auto c = plan_replay(scenario(), req);
  EXPECT_NE(a->schedule.arrivals[0].at_ns, c->schedule.arrivals[0].at_ns);
  std::filesystem::remove(file);
}

TEST_F(Replay, FixedRateIgnoresRecordedTimesKeepsOrder) {
  const std::string file = write_temp("t.jsonl",
                                      "{\"path\": \"/hello\"}\n{\"path\": \"/slow\"}\n{\"path\": \"/async\"}\n");
  ReplayRequest req{file, TraceFormat::jsonl};
  req.rate = RatePlan{.rate_rps = 100, .process = ArrivalProcess::constant};
  const auto plan = plan_replay(scenario(), req);
  ASSERT_EQ(plan->schedule.arrivals.size(), 3u);
  EXPECT_EQ(plan->schedule.arrivals[1].at_ns, 10'000'000);
  EXPECT_EQ(plan->table.route(plan->schedule.arrivals[1].request), 2u);
  EXPECT_EQ(plan->table.route(plan->schedule.arrivals[2].request), 3u);
  // Without --rate a line without "t" is malformed (and so nothing is left).
  EXPECT_THROW(plan_replay(scenario(), {file, TraceFormat::jsonl}), ReplayError);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace fb::harness
