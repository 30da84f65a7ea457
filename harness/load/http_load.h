// The load generator as an HTTP client (`run --target`): keep-alive connections to a server
// that runs the scenario, sending its request mix and recording the latency each client sees.
//
// Split in two so that every schedule reuses the unit of work: HttpLoadClient sends one request
// and records its latency (the closed loop from the moment it sends; the open loop from the
// intended send time, which corrects for coordinated omission); run_http_closed_loop and
// run_http_open_loop are the two schedules over C clients.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/load/arrival_schedule.h"
#include "harness/load/pipeline_load.h"
#include "harness/load/schedule_pacer.h"
#include "harness/load/sender_record.h"
#include "harness/load/http_connection.h"
#include "harness/load/http_target.h"
#include "harness/load/load_result.h"
#include "harness/load/request_mix.h"
#include "probes/clock.h"

namespace fb::harness {

class HttpLoadClient {
 public:
  // Connects (throws HttpClientError). `wire`: wire_requests() of `table`, kept by the caller.
  HttpLoadClient(const HttpTarget& target, const RequestTable& table, const std::vector<std::string>& wire,
                 std::size_t route_count, std::int64_t blocks = 0);

  // Sends request `request` of the table and waits for its response. When `record`, its latency
  // goes into `total` (and the status is counted, per route too): from the send when `intended`
  // is 0 (closed loop), else from `intended`, with `queue` = intended -> send and the
  // uncorrected send -> response kept beside it. A broken exchange counts as a transport error
  // (the connection is re-opened next time). `block`: as SenderRecord::record.
  // `pacer`, when given, is told the response is in as soon as it is (before the recording).
  void send(std::size_t request, probes::Ticks intended, bool record, std::int64_t block = -1,
            SchedulePacer* pacer = nullptr);

  std::size_t reconnects() const noexcept { return connection_.reconnects(); }

  SenderRecord record;
  SenderPace pace;  // open loop
  std::uint64_t transport_errors = 0;

 private:
  const RequestTable& table_;
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
HttpLoadResult run_http_closed_loop(const HttpTarget& target, const RequestMix& mix, const LoadSettings& settings,
                                    LoadProgress* progress = nullptr);

// settings.clients senders, one connection each, sending `schedule`'s arrivals (requests of
// `table`) at their intended times (harness/load/schedule_pacer.h); the warm-up sends the
// schedule's first requests back to back. Throws HttpClientError when a sender cannot connect.
HttpLoadResult run_http_open_loop(const HttpTarget& target, const RequestTable& table, std::size_t route_count,
                                  const ArrivalSchedule& schedule, const LoadSettings& settings,
                                  LoadProgress* progress = nullptr);

}  // namespace fb::harness
