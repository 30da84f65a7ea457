// Request and response as the pipeline sees them. A Request only views bytes the caller owns
// (the load generator keeps them alive for the whole run), so building one costs nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fb {

struct Header {
  std::string_view name;
  std::string_view value;
};

struct Request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view path;    // without the query string
  std::string_view query;   // after '?', may be empty
  std::vector<Header> headers;
  std::string_view body;
};

// Why a request failed: set on a 500 where the handler raised or its result was refused
// (handler_errors.h), so the route's error log can say what went wrong.
struct HandlerError {
  std::string type;     // "ValueError", "InvalidResult"
  std::string message;  // "boom"
};

struct Response {
  int status = 200;
  // Always a string with static storage (a literal): a view, so that setting it never allocates
  // (the JSON and octet-stream types are longer than std::string's inline buffer).
  std::string_view content_type = "text/plain";
  std::string body;
  // Null on success: a failed request's description, shared because responses may be copied.
  std::shared_ptr<const HandlerError> error;
};

inline Response plain_response(int status, std::string body) {
  return Response{status, "text/plain", std::move(body)};
}

}  // namespace fb
