// What went wrong on one route in one run: runs[].routes[].errors (the rest of the route's record
// is results_model.h RouteRun).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fb::harness {

// One distinct error: runs[].routes[].errors.messages[].
struct ErrorMessage {
  std::string type;     // exception type ("ValueError"), "InvalidResult", or "HTTP 503"
  std::string message;  // str() of the exception, cut to framework/handler_errors.h's limit
  std::string handler;  // "module:function" of the route
  std::uint64_t count = 0;
};

// runs[].routes[].errors: every request of the route that ended in a 5xx is in `count`; the
// first few distinct errors are in `messages` (their counts may sum to less than `count`).
struct RouteErrorRecord {
  std::uint64_t count = 0;
  std::vector<ErrorMessage> messages;
};

}  // namespace fb::harness
