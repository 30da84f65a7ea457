// One HTTP/1.1 connection's protocol, without sockets: bytes in, requests handled in order,
// bytes out. The server (server.h) owns the socket, the clock deadlines and the event loop; the
// session decides what the bytes mean and what to answer, so all of that is testable without a
// network.
//
//   received bytes -> process(): every complete request buffered is parsed (request_parser.h),
//   handed to the RequestHandler, and its response appended to the output, in arrival order
//   (pipelining); a refused request (431, 413, 400) gets its answer and ends the connection.
//   pending_output() -> the server writes it -> sent(n).
//
// Not thread-safe: one session belongs to one I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "framework/http.h"
#include "framework/http/request_parser.h"
#include "framework/stage.h"

namespace fb::http {

// What the server runs for each request (App::handle behind `fasterbench serve`). Called from
// every I/O thread at once: implementations must be thread-safe.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual Response handle(const Request& request, StageTrace& trace) = 0;
};

// The front end's own stamps of one request, beside the pipeline's StageTrace (which covers
// arrive .. response_ready): the recv stage is bytes_read -> request_parsed, the send stage
// response_ready -> bytes_written.
struct FrontEndStamps {
  probes::Ticks bytes_read = 0;      // the read that completed the request returned, or (for the later
                                     // requests of one read) the previous request left the handler
  probes::Ticks request_parsed = 0;  // parse_request said complete
  probes::Ticks bytes_written = 0;   // the write that took the response's last byte returned
};

// Receives each request's stage trace once its response has been written in full.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void request_done(const StageTrace& trace, const FrontEndStamps& front_end) = 0;
};

// Per I/O thread counters; the server adds them up when it stops.
struct SessionCounters {
  std::uint64_t requests = 0;                       // handled by the RequestHandler
  std::uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0;  // handler responses
  std::uint64_t refused_400 = 0, refused_408 = 0, refused_413 = 0, refused_431 = 0, refused_503 = 0;
  std::uint64_t continues = 0;                      // "100 Continue" interim responses sent

  SessionCounters& operator+=(const SessionCounters& o) noexcept;
};

class Session {
 public:
  // Where a connection stands; the server keeps one deadline per phase (server.h).
  enum class Phase {
    idle,            // between requests: nothing buffered, nothing to send
    reading_header,  // part of a request header is buffered
    reading_body,    // the header is complete, the body is not
    writing,         // responses wait to be sent
    closing,         // no more requests: close once the output is sent
  };

  Session(const RequestLimits& limits, SessionCounters& counters);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Room for the next read (at least kReadChunk bytes); then received(n) for what was read.
  std::span<char> read_space();
  void received(std::size_t n) noexcept { end_ += n; }

  // Handles every complete request buffered, in order, appending the responses to the output.
  // `read_at`: when the bytes just received were read. Each request gets bytes_read (read_at,
  // or for the later requests of one read the moment the previous one left the handler) and
  // request_parsed (FrontEndStamps); the handler stamps arrive .. response_ready. Stops at an incomplete
  // request, after a request that closes the connection, or at a refusal (queued; the
  // connection closes once it is sent). While closing, buffered bytes are discarded.
  void process(RequestHandler& handler, probes::Ticks read_at);

  // Refuses on the server's own account (timeouts: 408; too many connections: 503): queues the
  // answer and closes after it.
  void refuse(int status, std::string_view reason);
  // Serve what is already buffered, but close after the next response (server draining).
  void close_after_current() noexcept { drain_ = true; }

  std::string_view pending_output() const noexcept {
    return std::string_view(out_).substr(out_sent_);
  }
  // `n` bytes of pending_output() were written at `now`; requests whose responses are now
  // fully written get bytes_written = now and are handed to `sink`.
  void sent(std::size_t n, probes::Ticks now, TraceSink& sink);

  Phase phase() const noexcept;
  bool closing() const noexcept { return closing_; }
  bool has_buffered_input() const noexcept { return end_ > start_; }
  std::uint64_t requests_handled() const noexcept { return handled_; }

  static constexpr std::size_t kReadChunk = 16 * 1024;
  // An idle session gives back an input buffer that grew past this (a large body), so that
  // thousands of idle keep-alive connections hold little memory.
  static constexpr std::size_t kKeepBuffer = 64 * 1024;

 private:
  struct PendingTrace {
    std::uint64_t output_end;  // absolute output offset where its response ends
    StageTrace trace;
    FrontEndStamps front_end;
  };

  void respond(const Response& response, bool keep_alive, bool head_request);
  void consume(std::size_t n) noexcept;

  RequestLimits limits_;
  SessionCounters& counters_;
  std::vector<char> in_;
  std::size_t start_ = 0, end_ = 0;  // buffered, unparsed input: in_[start_, end_)
  std::size_t need_ = 0;             // don't re-parse until this much is buffered (known body length)
  bool header_seen_ = false;         // the buffered request's header is complete, its body is not
  bool continue_sent_ = false;       // "100 Continue" sent for the request being read
  ParsedRequest parsed_;
  std::string out_;
  std::size_t out_sent_ = 0;
  std::uint64_t out_base_ = 0;  // absolute offset of out_[0]
  std::vector<PendingTrace> pending_;  // responses not yet fully written, from pending_head_ on
  std::size_t pending_head_ = 0;
  bool closing_ = false, drain_ = false;
  std::uint64_t handled_ = 0;
};

}  // namespace fb::http
