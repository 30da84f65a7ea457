// The load generator as an HTTP client (`run --target`): keep-alive connections to a server
// that runs the scenario, sending its request mix and recording the latency each client sees.
//
// Split in two so that other schedules can reuse the unit of work: HttpLoadClient sends one
// request of the mix and records its latency measured from a given start tick (the closed loop
// passes the moment it sends; an open loop would pass the intended send time, which corrects
// for coordinated omission); run_http_closed_loop is the closed-loop schedule over C clients.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/load/closed_loop.h"
#include "harness/load/http_connection.h"
#include "harness/load/http_target.h"
#include "harness/load/load_result.h"
#include "harness/load/request_mix.h"
#include "probes/clock.h"

namespace fb::harness {

class HttpLoadClient {
 public:
  // Connects (throws HttpClientError). `wire`: wire_requests() of the mix, kept by the caller.
  HttpLoadClient(const HttpTarget& target, const std::vector<std::string>& wire);

  // Sends route `route`'s request and waits for its response. When `record`, the latency from
  // `start` to the response's last byte goes into the `total` stage, and the status is counted.
  // A broken exchange counts as a transport error (the connection is re-opened next time).
  void send(std::size_t route, probes::Ticks start, bool record);

  std::size_t reconnects() const noexcept { return connection_.reconnects(); }

  probes::InprocRecorder recorder;
  std::uint64_t requests = 0, server_errors = 0, client_errors = 0, transport_errors = 0;
  std::vector<std::uint64_t> per_route;

 private:
  const std::vector<std::string>& requests_;
  HttpConnection connection_;
};

struct HttpLoadResult {
  LoadResult load;  // stages: only `total`, the client-side latency; the rest have count 0
  std::uint64_t transport_errors = 0;  // resets, closes mid-response, unparsable responses
  std::uint64_t reconnects = 0;        // connections re-opened (after "Connection: close" or an error)
};

// C clients (settings.clients), one connection and one request outstanding each, until
// settings.requests measured requests (after settings.warmup unrecorded ones) are done.
// probe_sample and request ids do not apply (the server's stages are the server's). Throws
// HttpClientError when a client cannot connect.
HttpLoadResult run_http_closed_loop(const HttpTarget& target, const RequestMix& mix, const ClosedLoopSettings& settings,
                                    LoadProgress* progress = nullptr);

}  // namespace fb::harness
