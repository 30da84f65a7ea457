// Where `run --target` sends its requests: an http:// URL's host and port, and the scenario's
// requests turned into the bytes sent on the wire (built once, so sending one costs a copy of
// nothing).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/load/request_mix.h"

namespace fb::harness {

struct HttpTarget {
  std::string url;   // as given
  std::string host;  // "127.0.0.1", "localhost", "::1"
  std::uint16_t port = 80;
};

// "http://HOST[:PORT][/]"; IPv6 hosts in brackets. Throws UsageError naming what is wrong
// (https, a path, a bad port).
HttpTarget parse_http_target(const std::string& url);

// One HTTP/1.1 request per route of `mix`, in mix order: request line, Host, the scenario's
// headers, Content-Length when there is a body.
std::vector<std::string> wire_requests(const RequestMix& mix, const HttpTarget& target);
// The same for any table of requests (a replayed trace), in table order.
std::vector<std::string> wire_requests(const RequestTable& table, const HttpTarget& target);

}  // namespace fb::harness
