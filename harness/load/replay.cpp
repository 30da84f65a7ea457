#include "harness/load/replay.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <unordered_map>

#include <fmt/format.h>

#include "framework/router.h"

namespace fb::harness {
namespace {

// Reads lines of at most kMaxTraceLine bytes; a longer line is reported as such and skipped
// without being held whole. '\r' before '\n' is dropped.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  // false at the end of the file. `too_long`: the line was cut (its text is not usable).
  bool next(std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    bool any = false;
    for (;;) {
      if (pos_ == len_) {
        in_.read(buf_, sizeof buf_);
        len_ = static_cast<std::size_t>(in_.gcount());
        pos_ = 0;
        if (len_ == 0) return any;
      }
      any = true;
      const char* start = buf_ + pos_;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
      const std::size_t n = nl ? static_cast<std::size_t>(nl - start) : len_ - pos_;
      if (!too_long) {
        if (line.size() + n > kMaxTraceLine) {
          too_long = true;
          line.clear();
        } else {
          line.append(start, n);
        }
      }
      pos_ += n;
      if (nl) {
        ++pos_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
      }
    }
  }

 private:
  std::istream& in_;
  char buf_[1 << 16];
  std::size_t pos_ = 0, len_ = 0;
};

struct CompiledRule {
  const ReplayMapRule* rule;
  std::optional<std::regex> regex;
};

struct Matched {
  double t;                 // recorded seconds (0 when the line had none)
  bool has_t;
  std::uint32_t request;    // table index
  std::uint64_t line;       // in the file, for messages
};

}  // namespace

std::unique_ptr<ReplayPlan> plan_replay(const Scenario& scenario, const ReplayRequest& req) {
  std::ifstream in(req.file, std::ios::binary);
  if (!in) throw ReplayError(req.file + ": cannot open the trace");
  auto plan = std::make_unique<ReplayPlan>();
  ReplayReport& report = plan->report;
  report.file = req.file;
  report.format = std::string(trace_format_name(req.format));
  report.speed = req.rate ? 0.0 : req.speed;
  report.timing = req.rate ? "fixed rate, recorded order" : "recorded times / speed";

  Router router;
  for (const ScenarioRoute& r : scenario.routes) router.add(r.method, r.path);
  std::vector<CompiledRule> rules;
  for (const ReplayMapRule& rule : scenario.replay_map) {
    rules.push_back({&rule, rule.regex.empty() ? std::nullopt : std::optional(std::regex(rule.regex, std::regex::ECMAScript))});
  }
  // The scenario's own request for each route, made when a map rule first needs it.
  std::vector<std::optional<std::uint32_t>> route_request(scenario.routes.size());
  std::unordered_map<std::string, std::uint32_t> distinct;  // method, target, headers, body -> table index
  std::map<std::string, std::uint64_t> unmatched;
  std::vector<Matched> matched;
  RouteMatch match;

  std::string line;
  bool too_long = false;
  LineReader reader(in);
  while (reader.next(line, too_long)) {
    const std::uint64_t number = ++report.lines;
    auto malformed = [&](const std::string& reason) {
      if (req.strict) throw ReplayError(req.file + ":" + std::to_string(number) + ": " + reason);
      ++report.malformed;
      if (report.first_malformed.size() < kMaxListed) report.first_malformed.push_back({number, reason});
    };
    if (too_long) {
      malformed("line longer than " + std::to_string(kMaxTraceLine) + " bytes");
      continue;
    }
    TraceLine parsed = parse_trace_line(req.format, line);
    if (std::holds_alternative<BlankLine>(parsed)) {
      ++report.blank;
      continue;
    }
    if (const auto* reason = std::get_if<std::string>(&parsed)) {
      malformed(*reason);
      continue;
    }
    TraceRequest& r = std::get<TraceRequest>(parsed);
    if (!r.t && !req.rate) {
      malformed("no \"t\" (give --rate to replay without recorded times)");
      continue;
    }
    router.match(r.method, r.path, match);
    std::uint32_t index = 0;
    if (match.result == RouteMatch::Result::found) {
      std::string key = r.method + ' ' + r.raw_target + '\n' + r.body;
      for (const auto& [name, value] : r.headers) key += '\n' + name + ':' + value;
      auto [it, fresh] = distinct.try_emplace(std::move(key), 0);
      if (fresh) {
        RequestSpec spec{r.method, r.path, r.query, r.headers, r.body, r.raw_target};
        it->second = static_cast<std::uint32_t>(plan->table.add(std::move(spec), match.route));
      }
      index = it->second;
      ++report.routed;
    } else {
      const auto rule = std::find_if(rules.begin(), rules.end(), [&](const CompiledRule& c) {
        if (!c.rule->method.empty() && c.rule->method != r.method) return false;
        return c.regex ? std::regex_match(r.path, *c.regex) : r.path.starts_with(c.rule->prefix);
      });
      if (rule == rules.end()) {
        ++report.unmatched;
        ++unmatched[r.path.size() > 200 ? r.path.substr(0, 200) + "..." : r.path];
        continue;
      }
      const std::size_t route = rule->rule->route;
      if (!route_request[route]) {
        const ScenarioRoute& sr = scenario.routes[route];
        const std::size_t q = sr.request.find('?');
        RequestSpec spec{sr.method, sr.request.substr(0, q), q == std::string::npos ? "" : sr.request.substr(q + 1),
                         sr.headers, sr.body, ""};
        route_request[route] = static_cast<std::uint32_t>(plan->table.add(std::move(spec), route));
      }
      index = *route_request[route];
      ++report.mapped;
    }
    matched.push_back({r.t.value_or(0.0), r.t.has_value(), index, number});
  }
  if (in.bad()) throw ReplayError(req.file + ": read error");

  std::vector<UnmatchedPath> top;
  for (const auto& [path, count] : unmatched) top.push_back({path, count});
  std::stable_sort(top.begin(), top.end(), [](const UnmatchedPath& a, const UnmatchedPath& b) { return a.count > b.count; });
  if (top.size() > kMaxListed) top.resize(kMaxListed);
  report.top_unmatched = std::move(top);
  report.requests = matched.size();
  if (matched.empty()) {
    throw ReplayError(req.file + ": no line matches a route of " + scenario.file + " (" + std::to_string(report.unmatched) +
                      " unmatched, " + std::to_string(report.malformed) + " malformed, " + std::to_string(report.lines) +
                      " lines)");
  }

  if (req.rate) {
    RatePlan rate = *req.rate;
    rate.count = static_cast<std::int64_t>(matched.size());
    std::size_t next = 0;
    plan->schedule = rate_schedule(rate, [&](std::mt19937_64&) { return matched[next++].request; });
    return plan;
  }
  // Recorded times. Access logs: spread each second's requests over it (see the header).
  std::stable_sort(matched.begin(), matched.end(), [](const Matched& a, const Matched& b) { return a.t < b.t; });
  const double first = matched.front().t, last = matched.back().t;
  report.recorded_span_s = last - first;
  std::vector<double> at(matched.size());
  if (req.format == TraceFormat::combined) {
    std::mt19937_64 rng(req.seed * 0x9E3779B97F4A7C15ull + 3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (std::size_t i = 0; i < matched.size();) {
      std::size_t j = i;
      while (j < matched.size() && matched[j].t == matched[i].t) ++j;
      std::vector<double> offsets(j - i);
      for (double& u : offsets) u = unit(rng);
      std::sort(offsets.begin(), offsets.end());
      for (std::size_t k = i; k < j; ++k) at[k] = matched[k].t - first + offsets[k - i];
      i = j;
    }
  } else {
    for (std::size_t i = 0; i < matched.size(); ++i) at[i] = matched[i].t - first;
  }
  // The window: to the end of the last recorded second (logs), or one mean gap past the last
  // request (jsonl), so that n requests cover n gaps.
  const double n = static_cast<double>(matched.size());
  // A trace whose requests all share one time gets a window of 1 ms.
  const double window_s = std::max(1e-3, req.format == TraceFormat::combined ? last - first + 1.0
                                         : matched.size() > 1                ? (last - first) * n / (n - 1.0)
                                                                             : 1.0);
  // Arrival times are integer nanoseconds: a replay longer than kMaxReplaySpanS (a log line with
  // a mistyped year, or a tiny --speed) cannot be scheduled, and is never what was meant.
  if (window_s / req.speed > kMaxReplaySpanS) {
    throw ReplayError(fmt::format("{}: the recorded times span {:.0f} s (line {} to line {}), {:.3g} s at speed {:g}: "
                                  "a replay may last at most {:.0e} s",
                                  req.file, last - first, matched.front().line, matched.back().line,
                                  window_s / req.speed, req.speed, kMaxReplaySpanS));
  }
  ArrivalSchedule& s = plan->schedule;
  s.arrivals.reserve(matched.size());
  for (std::size_t i = 0; i < matched.size(); ++i) {
    s.arrivals.push_back({static_cast<std::int64_t>(std::llround(at[i] / req.speed * 1e9)), matched[i].request});
  }
  s.window_ns = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(window_s / req.speed * 1e9)));
  return plan;
}

}  // namespace fb::harness
