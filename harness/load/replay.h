// Trace replay: a recorded trace (harness/load/trace_parse.h) turned into the requests and the
// schedule of an open-loop run on a scenario.
//
// Matching: each recorded request goes to the scenario route the router matches (method and
// path, as the app routes it) and is sent as recorded (method, path, query, headers, body);
// failing that, to the route of the first [[replay.map]] rule it matches, and is then sent as
// that route's own scenario request; failing both it is unmatched: counted, never sent.
// Malformed lines are counted with their line numbers (the first kMaxListed), or with `strict`
// the first one is an error.
//
// Timing: requests leave at their recorded times, relative to the first line's, divided by
// `speed`; or at a fixed rate in recorded order (`rate`), ignoring the times. Access logs have
// whole seconds: the k requests of one second are spread over it at k uniform random offsets,
// sorted (the arrival times of a Poisson process given k arrivals in that second), drawn from
// `seed`, keeping the log's order within the second.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/load/arrival_schedule.h"
#include "harness/load/request_table.h"
#include "harness/load/trace_parse.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

// A trace that cannot be replayed: unreadable, nothing matched, a malformed line under
// --strict. what() names the file (and line).
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxListed = 10;  // unmatched paths and malformed lines listed
// The longest replay (recorded span / speed) a schedule can hold: 1e9 s, about 31 years, leaves
// integer nanoseconds far from overflowing.
inline constexpr double kMaxReplaySpanS = 1e9;

struct ReplayRequest {
  std::string file;
  TraceFormat format = TraceFormat::combined;
  double speed = 1.0;                  // with recorded times
  std::optional<RatePlan> rate;        // a fixed rate instead (count and pick are filled in here)
  bool strict = false;
  std::uint64_t seed = 1;              // spreading access logs' seconds
};

struct UnmatchedPath {
  std::string path;
  std::uint64_t count = 0;
};

struct MalformedLine {
  std::uint64_t line = 0;
  std::string reason;
};

// runs[].replay.
struct ReplayReport {
  std::string file;
  std::string format;
  std::string timing;  // "recorded times / speed" or "fixed rate"
  double speed = 1.0;
  std::uint64_t lines = 0;      // lines read, blank ones included
  std::uint64_t requests = 0;   // matched lines: scheduled, each sent once
  std::uint64_t routed = 0;     // of which matched by the router (sent as recorded)
  std::uint64_t mapped = 0;     // of which matched by a [[replay.map]] rule
  std::uint64_t unmatched = 0;
  std::vector<UnmatchedPath> top_unmatched;  // most frequent first, at most kMaxListed
  std::uint64_t malformed = 0;
  std::vector<MalformedLine> first_malformed;  // at most kMaxListed, in file order
  std::uint64_t blank = 0;
  double recorded_span_s = 0;  // last - first recorded time (before speed)
};

struct ReplayPlan {
  RequestTable table;  // distinct requests, each for its route
  ArrivalSchedule schedule;
  ReplayReport report;
};

// Throws ReplayError.
std::unique_ptr<ReplayPlan> plan_replay(const Scenario& scenario, const ReplayRequest& request);

}  // namespace fb::harness
