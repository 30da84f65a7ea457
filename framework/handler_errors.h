// Why a request ended in a 5xx, and each route's log of those errors, so that a user learns
// *what* went wrong (the exception's type and message) and not only how often.
//
// The error is attached to the 500 response where the handler raised (python/result_conversion.h
// exception_response) and travels with the response through the future to App::handle, which
// records it in the route's RouteErrorLog. The success path pays one null pointer in Response and
// one compare (status >= 500) in App::handle; only failed requests take the log's mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "framework/http.h"

namespace fb {

// Distinct errors kept per route (a handler that fails in many ways is reported by its first
// few; the rest are counted in RouteErrors::count only).
inline constexpr std::size_t kMaxErrorSamples = 5;
// A message longer than this is cut (with "..."): an 8 MB repr must not be kept per route.
inline constexpr std::size_t kMaxErrorMessageBytes = 300;

// Makes the error a 500 response carries: `type` is the exception's type name ("ValueError") or
// a word for what the framework refused ("InvalidResult"), `message` its text (cut to
// kMaxErrorMessageBytes).
std::shared_ptr<const HandlerError> make_handler_error(std::string_view type, std::string_view message);

struct ErrorSample {
  std::string type, message;
  std::uint64_t count = 0;  // requests that failed with exactly this type and message
};

struct RouteErrors {
  std::uint64_t count = 0;            // requests of the route that ended in a 5xx
  std::vector<ErrorSample> samples;   // the first kMaxErrorSamples distinct errors, in order seen
};

// One route's errors. record() is called by any thread that finished a request with a 5xx;
// snapshot() and clear() by the harness between runs. All three take the mutex: errors are the
// slow path, and a run that fails every request is reported as such, not measured as a success.
class RouteErrorLog {
 public:
  // A response with status >= 500: its attached error, or "HTTP <status>" with its body when
  // it has none (a handler that returned (503, ...), a request the event loop could not run).
  void record(const Response& response);
  RouteErrors snapshot() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  RouteErrors errors_;  // guarded by mutex_
};

}  // namespace fb
