// The HTTP server over real loopback sockets, with a plain C++ handler (no Python): responses,
// pipelining, limits and timeouts (short ones, set through ServerOptions), resets, the
// connection limit and the drain. After each bad client, a good one must still be served.
#include "framework/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/cpp/http_test_socket.h"

namespace fb::http {
namespace {

using namespace std::chrono_literals;
using testing::TestSocket;
using testing::body_of;
using testing::status_line;

// "/echo" answers with the path and the body; "/sleep/MS" sleeps first (a request in flight).
class EchoHandler final : public RequestHandler {
 public:
  Response handle(const Request& request, StageTrace&) override {
    calls.fetch_add(1, std::memory_order_relaxed);
    if (request.path.starts_with("/sleep/")) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(std::string(request.path.substr(7)))));
    }
    std::string body = std::string(request.path);
    if (!request.body.empty()) body += "|" + std::string(request.body);
    return Response{200, "text/plain", std::move(body)};
  }
  std::atomic<int> calls{0};
};

ServerOptions short_timeouts() {
  ServerOptions o;
  o.io_threads = 2;
  o.idle_timeout = 3000ms;
  o.header_timeout = 1500ms;
  o.body_timeout = 1500ms;
  o.linger_timeout = 500ms;
  o.limits.max_header_bytes = 8 * 1024;
  o.limits.max_body_bytes = 64 * 1024;
  return o;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void start(const ServerOptions& options = short_timeouts()) {
    server_ = std::make_unique<Server>(options, handler_);
    server_->start();
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      server_->wait();
    }
  }
  // A fresh client still gets an answer: the server survived whatever came before.
  void expect_serves_others() {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all("GET /still-alive HTTP/1.1\r\nHost: t\r\n\r\n"));
    const auto r = s.read_responses(1);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(status_line(r[0]), "HTTP/1.1 200 OK");
    EXPECT_EQ(body_of(r[0]), "/still-alive");
  }

  EchoHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(HttpServerTest, AnswersAGetAndKeepsTheConnection) {
  start();
  TestSocket s(server_->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(s.send_all("GET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));
  }
  const auto r = s.read_responses(3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(status_line(r[2]), "HTTP/1.1 200 OK");
  EXPECT_NE(r[2].find("Content-Type: text/plain\r\n"), std::string::npos) << r[2];
  EXPECT_NE(r[2].find("Date: "), std::string::npos);
  EXPECT_EQ(r[2].find("Connection: close"), std::string::npos);
  EXPECT_EQ(body_of(r[2]), "/echo");
  EXPECT_FALSE(s.closed());
}

TEST_F(HttpServerTest, PipelinedBurstOf100GetsEveryResponseInOrder) {
  start();
  TestSocket s(server_->port());
  std::string burst;
  for (int i = 0; i < 100; ++i) burst += "GET /r/" + std::to_string(i) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(s.send_all(burst));  // one write: the server sees many requests per read
  const auto r = s.read_responses(100);
  ASSERT_EQ(r.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(body_of(r[static_cast<std::size_t>(i)]), "/r/" + std::to_string(i)) << i;
}

TEST_F(HttpServerTest, ContentLengthAndChunkedBodiesReachTheHandler) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel"));
  std::this_thread::sleep_for(50ms);  // the body arrives in two reads
  ASSERT_TRUE(s.send_all("lo"));
  ASSERT_TRUE(s.send_all("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(s.send_all("5\r\npedia\r\n0\r\n\r\n"));
  const auto r = s.read_responses(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(body_of(r[0]), "/echo|hello");
  EXPECT_EQ(body_of(r[1]), "/echo|Wikipedia");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("PUT /echo HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  s.read_until([](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(s.received(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(s.send_all("abc"));
  s.read_until([](const std::string& r) { return r.find("/echo|abc") != std::string::npos; });
  EXPECT_NE(s.received().find("HTTP/1.1 200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10CloseAfterTheResponse) {
  start();
  {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all("GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
    EXPECT_TRUE(s.wait_closed());
    const auto r = TestSocket::split_responses(s.received());
    ASSERT_EQ(r.size(), 1u);  // the request after "close" is not served
    EXPECT_NE(r[0].find("Connection: close\r\n"), std::string::npos);
  }
  {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all("GET /b HTTP/1.0\r\n\r\n"));
    EXPECT_TRUE(s.wait_closed());
    EXPECT_EQ(TestSocket::split_responses(s.received()).size(), 1u);
  }
}

TEST_F(HttpServerTest, HeadRequestGetsHeadersOnly) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("HEAD /echo HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n"));
  s.read_until([](const std::string& r) { return r.find("/after") != std::string::npos; });
  const std::string& r = s.received();
  EXPECT_NE(r.find("Content-Length: 5\r\n"), std::string::npos) << r;  // of the GET it stands for
  EXPECT_EQ(r.find("/echo"), std::string::npos) << r;                  // but no body
}

TEST_F(HttpServerTest, MalformedRequestGets400AndClose) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("GARBAGE\x01 / HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(s.wait_closed());
  EXPECT_EQ(status_line(s.received()), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(s.received().find("Connection: close"), std::string::npos);
  expect_serves_others();
}

TEST_F(HttpServerTest, InvalidChunkSizesGet400AndClose) {
  start();
  for (const char* chunk : {"zz\r\nab\r\n0\r\n\r\n", "-5\r\nab\r\n", "2\r\nabcdef\r\n0\r\n\r\n", "ffffffffffffffffff\r\n"}) {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all(std::string("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") + chunk));
    EXPECT_TRUE(s.wait_closed()) << chunk;
    const std::string status = status_line(s.received());
    // An oversized chunk is a body over the limit (413); the others are broken framing (400).
    EXPECT_TRUE(status == "HTTP/1.1 400 Bad Request" || status == "HTTP/1.1 413 Content Too Large") << chunk << ": " << status;
  }
  expect_serves_others();
}

TEST_F(HttpServerTest, OneMegabyteHeaderGets431AndClose) {
  start();
  TestSocket s(server_->port());
  // Sent from another thread: the server answers before it has read it all.
  std::thread sender([&] { (void)s.send_all("GET / HTTP/1.1\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n"); });
  EXPECT_TRUE(s.wait_closed());
  sender.join();
  EXPECT_EQ(status_line(s.received()), "HTTP/1.1 431 Request Header Fields Too Large");
  expect_serves_others();
}

TEST_F(HttpServerTest, DeclaredBodyOverTheLimitGets413BeforeTheBody) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("POST /echo HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n"));
  EXPECT_TRUE(s.wait_closed());
  EXPECT_EQ(status_line(s.received()), "HTTP/1.1 413 Content Too Large");
  expect_serves_others();
}

TEST_F(HttpServerTest, TruncatedRequestLineTimesOutWith408) {
  start();
  TestSocket s(server_->port());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(s.send_all("GET /hel"));
  EXPECT_TRUE(s.wait_closed(5000ms));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(status_line(s.received()), "HTTP/1.1 408 Request Timeout");
  EXPECT_GE(waited, 1400ms);  // header_timeout 1500 ms (ms rounding)
  expect_serves_others();
}

TEST_F(HttpServerTest, SlowlorisAtOneBytePerSecondGets408WhileOthersAreServed) {
  start();
  TestSocket slow(server_->port());
  const std::string request = "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  // 1 byte per second; each byte does not extend the header deadline (1.5 s from the first).
  while (sent < request.size() && slow.received().empty() && std::chrono::steady_clock::now() - t0 < 4s) {
    if (!slow.send_all(request.substr(sent, 1))) break;
    ++sent;
    expect_serves_others();  // others are served meanwhile
    slow.read_until([](const std::string& r) { return !r.empty(); }, 1000ms);
  }
  EXPECT_TRUE(slow.wait_closed(3000ms));
  EXPECT_EQ(status_line(slow.received()), "HTTP/1.1 408 Request Timeout");
  EXPECT_LE(sent, 3u);
  EXPECT_EQ(handler_.calls.load(), static_cast<int>(sent));  // only the others' requests
}

TEST_F(HttpServerTest, SlowBodyTimesOutWith408) {
  start();
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly-part"));
  EXPECT_TRUE(s.wait_closed(5000ms));
  EXPECT_EQ(status_line(s.received()), "HTTP/1.1 408 Request Timeout");
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o = short_timeouts();
  o.idle_timeout = 300ms;
  start(o);
  TestSocket s(server_->port());
  ASSERT_TRUE(s.send_all("GET /echo HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(s.read_responses(1).size(), 1u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(s.wait_closed(3000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  server_->stop();
  server_->wait();
  EXPECT_GE(server_->stats().idle_closed, 1u);
}

TEST_F(HttpServerTest, ResetMidBodyIsCountedAndOthersAreServed) {
  start();
  {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all("POST /echo HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'x')));
    std::this_thread::sleep_for(100ms);  // the server has read the partial body
    s.reset();
  }
  expect_serves_others();
  // The server noticed the reset and closed its end: only the good client's connection is left.
  for (int i = 0; i < 100 && server_->open_connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_EQ(handler_.calls.load(), 1);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  ServerOptions o = short_timeouts();
  o.io_threads = 1;  // exact accounting: no two threads accepting at once
  o.max_connections = 2;
  start(o);
  TestSocket a(server_->port()), b(server_->port());
  ASSERT_TRUE(a.send_all("GET /a HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(b.send_all("GET /b HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(a.read_responses(1).size(), 1u);
  ASSERT_EQ(b.read_responses(1).size(), 1u);
  TestSocket c(server_->port());
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(status_line(c.received()), "HTTP/1.1 503 Service Unavailable");
  ASSERT_TRUE(a.send_all("GET /a2 HTTP/1.1\r\n\r\n"));  // the open ones still work
  EXPECT_EQ(a.read_responses(2).size(), 2u);
}

TEST_F(HttpServerTest, StopDrainsTheRequestInFlightAndEndsWithinASecond) {
  start();
  TestSocket busy(server_->port());
  TestSocket idle(server_->port());
  ASSERT_TRUE(idle.send_all("GET /x HTTP/1.1\r\n\r\n"));
  ASSERT_EQ(idle.read_responses(1).size(), 1u);
  ASSERT_TRUE(busy.send_all("GET /sleep/300 HTTP/1.1\r\n\r\n"));
  std::this_thread::sleep_for(50ms);  // the handler is running
  const auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  server_->wait();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  const auto r = busy.read_responses(1, 1000ms);
  ASSERT_EQ(r.size(), 1u);  // answered, not cut off
  EXPECT_EQ(body_of(r[0]), "/sleep/300");
  EXPECT_TRUE(busy.wait_closed(1000ms));
  EXPECT_TRUE(idle.wait_closed(1000ms));
  EXPECT_THROW(TestSocket late(server_->port()), std::runtime_error);  // no longer accepting
}

TEST_F(HttpServerTest, BusyPortIsAClearError) {
  start();
  ServerOptions o;
  o.port = server_->port();
  try {
    Server second(o, handler_);
    FAIL() << "bound a port in use";
  } catch (const ServerError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(o.port)), std::string::npos)
        << e.what();
  }
}

TEST_F(HttpServerTest, StagesAreRecordedPerRequestSent) {
  start();
  {
    TestSocket s(server_->port());
    ASSERT_TRUE(s.send_all("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
    ASSERT_EQ(s.read_responses(2).size(), 2u);
  }
  server_->stop();
  server_->wait();
  const ServerStats st = server_->stats();
  EXPECT_EQ(st.sessions.requests, 2u);
  EXPECT_EQ(st.sessions.status_2xx, 2u);
  // recv and send for every request written; a plain handler stamps no pipeline point.
  EXPECT_EQ(server_->stages().stage(FB_STAGE_RECV).count(), 2u);
  EXPECT_EQ(server_->stages().stage(FB_STAGE_SEND).count(), 0u);  // needs response_ready, which App::handle stamps
  EXPECT_EQ(server_->stages().stage(FB_STAGE_ROUTE).count(), 0u);
  EXPECT_GT(server_->stages().stage(FB_STAGE_RECV).max(), 0u);
}

}  // namespace
}  // namespace fb::http
