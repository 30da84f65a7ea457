// Session: the protocol of one connection without sockets. Bytes go in through read_space()/
// received(), responses come out of pending_output(), traces of written responses reach the sink.
#include "framework/http/session.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace fb::http {
namespace {

class PathHandler final : public RequestHandler {
 public:
  Response handle(const Request& request, StageTrace&) override {
    seen.emplace_back(request.path);
    return Response{200, "text/plain", std::string(request.path)};
  }
  std::vector<std::string> seen;
};

class CountingSink final : public TraceSink {
 public:
  void request_done(const StageTrace&, const FrontEndStamps& f) override {
    ++done;
    EXPECT_LE(f.bytes_read, f.request_parsed);
    EXPECT_LE(f.request_parsed, f.bytes_written);
  }
  int done = 0;
};

class SessionTest : public ::testing::Test {
 protected:
  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::span<char> space = session.read_space();
      const std::size_t n = std::min(space.size(), bytes.size());
      std::memcpy(space.data(), bytes.data(), n);
      session.received(n);
      bytes.remove_prefix(n);
      session.process(handler, probes::now_ticks());
    }
  }
  std::string drain() {
    std::string out(session.pending_output());
    session.sent(out.size(), probes::now_ticks(), sink);
    return out;
  }

  SessionCounters counters;
  Session session{RequestLimits{}, counters};
  PathHandler handler;
  CountingSink sink;
};

TEST_F(SessionTest, PipelinedRequestsAreAnsweredInOrderAndTracedWhenWritten) {
  feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  EXPECT_EQ(handler.seen, (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_EQ(session.phase(), Session::Phase::writing);
  const std::string out(session.pending_output());
  EXPECT_LT(out.find("\r\n\r\n/a"), out.find("\r\n\r\n/b"));
  EXPECT_LT(out.find("\r\n\r\n/b"), out.find("\r\n\r\n/c"));
  // A partial write completes only the responses it covers.
  const std::size_t first_end = out.find("/a") + 2;
  session.sent(first_end, probes::now_ticks(), sink);
  EXPECT_EQ(sink.done, 1);
  session.sent(out.size() - first_end, probes::now_ticks(), sink);
  EXPECT_EQ(sink.done, 3);
  EXPECT_EQ(session.phase(), Session::Phase::idle);
  EXPECT_EQ(counters.requests, 3u);
  EXPECT_EQ(counters.status_2xx, 3u);
}

TEST_F(SessionTest, PhasesFollowTheBufferedRequest) {
  feed("GET /a HT");
  EXPECT_EQ(session.phase(), Session::Phase::reading_header);
  feed("TP/1.1\r\nContent-Length: 4\r\n\r\nab");
  EXPECT_EQ(session.phase(), Session::Phase::reading_body);
  feed("cd");
  EXPECT_EQ(session.phase(), Session::Phase::writing);
  drain();
  EXPECT_EQ(session.phase(), Session::Phase::idle);
  EXPECT_EQ(session.requests_handled(), 1u);
}

TEST_F(SessionTest, ARequestSplitIntoSingleBytesIsParsedOnce) {
  const std::string request = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (char c : request) feed(std::string_view(&c, 1));
  EXPECT_EQ(handler.seen, std::vector<std::string>{"/x"});
}

TEST_F(SessionTest, RefusalEndsTheConnectionAndDropsWhatFollows) {
  feed("BROKEN\r\n\r\nGET /never HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(session.closing());
  EXPECT_TRUE(handler.seen.empty());
  EXPECT_EQ(drain().substr(0, 24), "HTTP/1.1 400 Bad Request");
  feed("GET /still-never HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(handler.seen.empty());
  EXPECT_EQ(counters.refused_400, 1u);
}

TEST_F(SessionTest, DrainingClosesAfterTheBufferedRequest) {
  session.close_after_current();
  feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  EXPECT_EQ(handler.seen, std::vector<std::string>{"/a"});
  EXPECT_NE(drain().find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(session.closing());
}

TEST_F(SessionTest, HandlerExceptionBecomesA500) {
  class Throwing final : public RequestHandler {
    Response handle(const Request&, StageTrace&) override { throw std::runtime_error("boom"); }
  } throwing;
  const std::string_view req = "GET /t HTTP/1.1\r\n\r\n";
  const std::span<char> space = session.read_space();
  std::memcpy(space.data(), req.data(), req.size());
  session.received(req.size());
  session.process(throwing, probes::now_ticks());
  const std::string out = drain();
  EXPECT_EQ(out.substr(0, 34), "HTTP/1.1 500 Internal Server Error");
  EXPECT_NE(out.find("boom"), std::string::npos);
  EXPECT_FALSE(session.closing());  // the connection survives its request's failure
}

}  // namespace
}  // namespace fb::http
