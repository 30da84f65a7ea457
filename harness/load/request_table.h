// The requests a load run can send, each built once with the bytes it views, and the scenario
// route each one is for. The scenario's mix has one request per route (request_mix.h); a
// replayed trace has one per distinct recorded request (replay.h). Sending one costs an index.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "framework/http.h"

namespace fb::harness {

struct RequestSpec {
  std::string method = "GET";
  std::string path;   // without the query string, as the router sees it (percent-decoded)
  std::string query;  // after '?', as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The request-target as recorded (percent-encoded path and query), sent as is over HTTP; empty:
  // path '?' query.
  std::string raw_target;
};

class RequestTable {
 public:
  RequestTable() = default;
  RequestTable(const RequestTable&) = delete;
  RequestTable& operator=(const RequestTable&) = delete;

  // Keeps a copy of `spec` for scenario route `route`; returns the request's index.
  std::size_t add(RequestSpec spec, std::size_t route);

  const Request& request(std::size_t i) const { return requests_[i]; }
  const RequestSpec& spec(std::size_t i) const { return storage_[i]; }
  std::size_t route(std::size_t i) const { return routes_[i]; }
  std::size_t size() const noexcept { return requests_.size(); }

 private:
  std::deque<RequestSpec> storage_;  // deque: element addresses stay put as it grows
  std::vector<Request> requests_;    // views into storage_
  std::vector<std::size_t> routes_;
};

}  // namespace fb::harness
