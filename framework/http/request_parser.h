// Parsing one HTTP/1.1 request from bytes: a pure function. Given the bytes a connection has
// buffered (starting at the first byte of a request) and the limits, it says whether they hold a
// complete request, need more bytes, or are refused, and where the request ends. No state is kept
// between calls: a connection calls it again from the same start when more bytes arrive (the
// header is re-scanned; headers are small and usually arrive in one read). Same input, same
// output, which is what a fuzzer wants (one call per input, nothing to reset).
//
// The grammar is Boost.Beast's basic_parser (RFC 7230: request line, fields, Content-Length and
// Transfer-Encoding: chunked bodies, keep-alive rules); this file adapts it to views into the
// caller's bytes. Why Beast: harness/micro/http_parser_benchmarks.cpp measures it beside nodejs'
// http-parser on the same requests; see docs/http.md, "The HTTP front end".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "framework/http.h"

namespace fb::http {

struct RequestLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line + fields + blank line
  std::uint64_t max_body_bytes = 1024 * 1024;  // decoded body (after de-chunking)
};

enum class ParseStatus {
  complete,          // a whole request: see ParsedRequest::consumed
  incomplete,        // a prefix of a valid request: call again with more bytes
  header_too_large,  // header longer than max_header_bytes (answer 431)
  body_too_large,    // declared or decoded body longer than max_body_bytes (answer 413)
  malformed,         // not HTTP/1.x, or broken framing (answer 400 and close)
};

// The parsed request. Views point into the caller's input, except the body of a chunked request,
// which is decoded into `decoded_body` (so a ParsedRequest must not outlive the input, nor be
// copied: the body view may point into its own string). Reuse one object across calls to keep
// its vectors' capacity: parse_request overwrites every field.
struct ParsedRequest {
  Request request;               // method, path, query, headers, body: what App::handle takes
  std::string_view target;       // the request-target as sent ("/items/42?verbose=1")
  int version = 11;              // 10 or 11
  bool keep_alive = true;        // the connection stays open after the response (RFC 7230 6.3)
  bool expect_continue = false;  // "Expect: 100-continue": the client waits for a 100 before the body
  bool header_complete = false;  // the header has been parsed (also when the body is incomplete)
  std::size_t header_bytes = 0;  // size of the header, once complete
  // Content-Length, once the header is complete; empty for chunked bodies.
  std::optional<std::uint64_t> content_length;
  std::size_t consumed = 0;      // complete: bytes of input this request took
  std::string decoded_body;      // chunked bodies, de-chunked
  std::string error;             // refused: why, in words (for the response body and logs)

  ParsedRequest() = default;
  ParsedRequest(const ParsedRequest&) = delete;
  ParsedRequest& operator=(const ParsedRequest&) = delete;
};

ParseStatus parse_request(std::string_view input, const RequestLimits& limits, ParsedRequest& out);

// The status code that answers a refusal (400, 413, 431), or 0 for complete/incomplete.
int refusal_status(ParseStatus status) noexcept;

}  // namespace fb::http
