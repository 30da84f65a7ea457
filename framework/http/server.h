// An HTTP/1.1 server in front of a RequestHandler: epoll, keep-alive, pipelining, limits,
// timeouts and a graceful drain. `fasterbench serve` puts App::handle behind it.
//
// Threads: K I/O threads, each with its own epoll set and its own connections. The listening
// socket is in every set with EPOLLEXCLUSIVE, so one thread is woken per new connection, and
// that thread owns the connection for its life. An I/O thread runs the handler itself
// (App::handle returns when the response is ready), so at most K requests are in the handler
// at once, and a handler that blocks holds up the other connections of its thread:
// --io-threads sets how many requests can wait at the same time.
//
// Limits, and what a client sees when it passes one:
//   header larger than limits.max_header_bytes            431, connection closed
//   body larger than limits.max_body_bytes                413, connection closed (checked on
//                                                         Content-Length before the body is read)
//   malformed request (framing, version, chunk sizes)    400, connection closed
//   header not complete header_timeout after its first byte (slowloris)   408, closed
//   body not complete body_timeout after its header      408, closed
//   no request for idle_timeout on a keep-alive connection   closed silently
//   output not accepted by the peer for idle_timeout     closed
//   more than max_connections open                       503, closed at once
// After an answer that closes, the server shuts down its side for writing and reads until the
// peer closes (at most linger_timeout), so the client gets the answer rather than a reset.
//
// Shutdown (stop()): the listening socket closes at once; idle connections close; requests
// already received are answered (with "Connection: close"); connections still busy at
// drain_timeout are closed. Every thread has returned shortly after.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/http/request_parser.h"
#include "framework/http/session.h"
#include "probes/inproc_recorder.h"

namespace fb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  std::uint16_t port = 0;          // 0: the kernel picks one (port() says which)
  std::size_t io_threads = 1;
  RequestLimits limits;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds linger_timeout{2'000};
  std::chrono::milliseconds drain_timeout{800};
  int backlog = 1024;
};

// What the server did, summed over its threads.
struct ServerStats {
  SessionCounters sessions;
  std::uint64_t accepted = 0;          // connections accepted (rejected ones included)
  std::uint64_t rejected = 0;          // refused with 503: max_connections reached
  std::uint64_t idle_closed = 0;       // closed by the idle timeout
  std::uint64_t write_stalled = 0;     // closed: the peer did not take the output
  std::uint64_t peer_resets = 0;       // the peer reset or broke the connection
  std::uint64_t drained_closed = 0;    // still busy at the drain deadline
};

class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  // Binds and listens (throws ServerError naming the address and the reason); threads start in
  // start(). `handler` must outlive the server.
  Server(const ServerOptions& options, RequestHandler& handler);
  ~Server();  // stop() and wait() if the caller did not
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const ServerOptions& options() const noexcept { return options_; }

  void start();
  // Begins the drain; returns at once. Safe to call from any thread, more than once. Not
  // async-signal-safe: call it from a thread that waited for the signal (sigwait).
  void stop();
  // Joins the I/O threads (after stop()).
  void wait();

  // After wait(): counters and the stage histograms of every request whose response was sent.
  ServerStats stats() const;
  const probes::InprocRecorder& stages() const noexcept { return stages_; }
  // Connections open now (any thread).
  std::size_t open_connections() const noexcept { return open_connections_.load(std::memory_order_relaxed); }

 private:
  class IoThread;

  ServerOptions options_;
  RequestHandler& handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  // Written by the I/O threads (relaxed: a limit, not a synchronization point; a burst of
  // accepts on several threads may overshoot max_connections by at most io_threads - 1).
  std::atomic<std::size_t> open_connections_{0};
  // Set once by stop() (release); read by the I/O threads after their wake-up (acquire).
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<IoThread>> threads_;
  bool joined_ = false;
  probes::InprocRecorder stages_;
  ServerStats stats_;
};

}  // namespace fb::http
