// The per-route error log (framework/handler_errors.h): counts, distinct samples, cut messages.
#include "framework/handler_errors.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace {

fb::Response failed(std::string_view type, std::string_view message) {
  fb::Response r = fb::plain_response(500, "Internal Server Error");
  r.error = fb::make_handler_error(type, message);
  return r;
}

TEST(RouteErrorLog, CountsEveryErrorAndKeepsDistinctSamplesInOrderSeen) {
  fb::RouteErrorLog log;
  log.record(failed("ValueError", "boom"));
  log.record(failed("KeyError", "'id'"));
  log.record(failed("ValueError", "boom"));
  log.record(failed("ValueError", "other"));
  const fb::RouteErrors e = log.snapshot();
  EXPECT_EQ(e.count, 4u);
  ASSERT_EQ(e.samples.size(), 3u);
  EXPECT_EQ(e.samples[0].type, "ValueError");
  EXPECT_EQ(e.samples[0].message, "boom");
  EXPECT_EQ(e.samples[0].count, 2u);
  EXPECT_EQ(e.samples[1].type, "KeyError");
  EXPECT_EQ(e.samples[1].count, 1u);
  EXPECT_EQ(e.samples[2].message, "other");
}

TEST(RouteErrorLog, KeepsAtMostTheFirstDistinctErrorsButCountsAll) {
  fb::RouteErrorLog log;
  for (int i = 0; i < 20; ++i) log.record(failed("ValueError", "request " + std::to_string(i)));
  const fb::RouteErrors e = log.snapshot();
  EXPECT_EQ(e.count, 20u);
  ASSERT_EQ(e.samples.size(), fb::kMaxErrorSamples);
  EXPECT_EQ(e.samples.front().message, "request 0");
  EXPECT_EQ(e.samples.back().message, "request " + std::to_string(fb::kMaxErrorSamples - 1));
}

TEST(RouteErrorLog, AResponseWithoutAnAttachedErrorIsDescribedByItsStatusAndBody) {
  fb::RouteErrorLog log;
  log.record(fb::plain_response(503, "try later"));
  const fb::RouteErrors e = log.snapshot();
  ASSERT_EQ(e.samples.size(), 1u);
  EXPECT_EQ(e.samples[0].type, "HTTP 503");
  EXPECT_EQ(e.samples[0].message, "try later");
}

TEST(RouteErrorLog, ClearStartsAfresh) {
  fb::RouteErrorLog log;
  log.record(failed("ValueError", "warm-up"));
  log.clear();
  EXPECT_EQ(log.snapshot().count, 0u);
  EXPECT_TRUE(log.snapshot().samples.empty());
  log.record(failed("ValueError", "measured"));
  EXPECT_EQ(log.snapshot().samples.at(0).message, "measured");
}

TEST(HandlerError, LongMessagesAreCutOnACharacterBoundary) {
  // 8 MB of text must not be kept per route; a cut never splits a UTF-8 sequence.
  const std::string big(8 << 20, 'x');
  const auto e = fb::make_handler_error("ValueError", big);
  EXPECT_EQ(e->message.size(), fb::kMaxErrorMessageBytes);
  EXPECT_TRUE(e->message.ends_with("..."));
  std::string accents;
  while (accents.size() < 2 * fb::kMaxErrorMessageBytes) accents += "\xC3\xA9";  // é, two bytes each
  const auto cut = fb::make_handler_error("ValueError", accents);
  ASSERT_LE(cut->message.size(), fb::kMaxErrorMessageBytes);
  const std::string kept = cut->message.substr(0, cut->message.size() - 3);
  EXPECT_EQ(kept.size() % 2, 0u) << "a two-byte character was split";
  for (std::size_t i = 0; i < kept.size(); i += 2) EXPECT_EQ(kept.substr(i, 2), "\xC3\xA9");
  EXPECT_EQ(fb::make_handler_error("ValueError", "short")->message, "short");
}

TEST(RouteErrorLog, ConcurrentRecordsAreAllCounted) {
  fb::RouteErrorLog log;
  constexpr int kThreads = 4, kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kEach; ++i) log.record(failed("ValueError", i % 2 == 0 ? "even" : "thread " + std::to_string(t)));
    });
  }
  for (std::thread& t : threads) t.join();
  const fb::RouteErrors e = log.snapshot();
  EXPECT_EQ(e.count, static_cast<std::uint64_t>(kThreads * kEach));
  std::uint64_t sampled = 0;
  for (const fb::ErrorSample& s : e.samples) sampled += s.count;
  EXPECT_EQ(sampled, e.count);  // 1 + kThreads distinct messages, all kept
}

}  // namespace
