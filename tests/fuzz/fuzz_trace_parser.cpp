// libFuzzer target: the trace parsers of `--replay` (harness/load/trace_parse.h, one line of JSON
// Lines or of a combined/common access log) and the reader that turns a whole trace into a
// schedule (harness/load/replay.h plan_replay). The first byte chooses the format, --strict and
// a fixed rate; the rest is the trace file. Checked, beyond "no crash, no sanitizer report":
// - each line is blank exactly when it is whitespace, a refusal is one short printable phrase,
//   and a parsed request has a token method, a non-empty path free of NUL that its own raw target
//   splits back to, header names that are tokens and values without line breaks, and a time that
//   is whole seconds (access logs) or in [0, 1e9] seconds (jsonl);
// - a whole trace gives a plan or a ReplayError naming the file (and, under --strict, a line of
//   the file); a plan accounts for every line (requests + unmatched + malformed + blank), lists
//   malformed lines in order, and has arrivals in non-decreasing time order within its window,
//   each for a request of its table and a route of the scenario.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "harness/load/replay.h"
#include "harness/load/trace_parse.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {
namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return true;
}

bool printable(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

void check_line(TraceFormat format, std::string_view line) {
  const TraceLine parsed = parse_trace_line(format, line);
  check(std::holds_alternative<BlankLine>(parsed) == is_blank(line));
  if (const auto* reason = std::get_if<std::string>(&parsed)) {
    check(!reason->empty() && reason->size() <= 200 && printable(*reason));
    return;
  }
  const auto* r = std::get_if<TraceRequest>(&parsed);
  if (r == nullptr) return;
  check(is_token(r->method));
  check(!r->path.empty() && r->path.find('\0') == std::string::npos);
  const auto again = split_target(r->raw_target);
  const auto* split = std::get_if<std::pair<std::string, std::string>>(&again);
  check(split != nullptr && split->first == r->path && split->second == r->query);
  for (const auto& [name, value] : r->headers) {
    check(is_token(name) && value.find_first_of("\r\n") == std::string::npos);
  }
  if (format == TraceFormat::combined) {
    check(r->t.has_value() && *r->t == static_cast<double>(static_cast<std::int64_t>(*r->t)));
  } else if (r->t) {
    check(*r->t >= 0 && *r->t <= 1e9);
  }
}

// The lines plan_replay sees: split at '\n', a '\r' before it dropped, a last unterminated line.
std::uint64_t check_lines(TraceFormat format, std::string_view text) {
  std::uint64_t lines = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (nl != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() <= kMaxTraceLine) check_line(format, line);
    ++lines;
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return lines;
}

const Scenario& scenario() {
  static const Scenario s = [] {
    Scenario sc;
    sc.file = "/fuzz/scenario.toml";
    sc.routes.push_back({.method = "GET", .path = "/hello", .request = "/hello"});
    sc.routes.push_back({.method = "GET", .path = "/items/{id}", .request = "/items/1?x=1"});
    sc.routes.push_back({.method = "POST", .path = "/items/{id}", .request = "/items/2", .body = "{}"});
    sc.replay_map.push_back({.prefix = "/legacy/", .route = 0});
    sc.replay_map.push_back({.regex = "/old/[0-9]+", .method = "GET", .route = 1});
    return sc;
  }();
  return s;
}

// The trace as a file plan_replay can open: one memory file, rewritten for each input.
const std::string& trace_file(std::string_view text) {
  static const int fd = memfd_create("fuzz-trace", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0) std::abort();
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  return path;
}

void check_plan(const ReplayRequest& request, std::uint64_t lines) {
  std::unique_ptr<ReplayPlan> plan;
  try {
    plan = plan_replay(scenario(), request);
  } catch (const ReplayError& e) {
    const std::string_view what = e.what();
    check(what.starts_with(request.file + ":"));  // "FILE: why" or, for one line, "FILE:LINE: why"
    if (request.strict && what.substr(request.file.size()).find_first_of("0123456789") == 1) {
      const std::uint64_t line = std::strtoull(e.what() + request.file.size() + 1, nullptr, 10);
      check(line >= 1 && line <= lines);
    }
    return;
  }
  const ReplayReport& r = plan->report;
  check(r.lines == lines);
  check(r.requests == r.routed + r.mapped && r.requests > 0);
  check(r.lines == r.requests + r.unmatched + r.malformed + r.blank);
  check(!request.strict || r.malformed == 0);
  check(r.first_malformed.size() == std::min<std::uint64_t>(r.malformed, kMaxListed));
  for (std::size_t i = 0; i < r.first_malformed.size(); ++i) {
    check(r.first_malformed[i].line >= 1 && r.first_malformed[i].line <= lines && !r.first_malformed[i].reason.empty());
    if (i > 0) check(r.first_malformed[i].line > r.first_malformed[i - 1].line);
  }
  check(r.recorded_span_s >= 0);
  const ArrivalSchedule& s = plan->schedule;
  check(s.arrivals.size() == r.requests);
  check(s.window_ns >= 1);
  for (std::size_t i = 0; i < s.arrivals.size(); ++i) {
    const Arrival& a = s.arrivals[i];
    check(a.at_ns >= 0 && a.at_ns <= s.window_ns);
    if (i > 0) check(a.at_ns >= s.arrivals[i - 1].at_ns);
    check(a.request < plan->table.size() && plan->table.route(a.request) < scenario().routes.size());
  }
}

}  // namespace
}  // namespace fb::harness

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fb::harness;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ReplayRequest request;
  request.format = (flags & 1) != 0 ? TraceFormat::combined : TraceFormat::jsonl;
  request.strict = (flags & 2) != 0;
  if ((flags & 4) != 0) request.rate = RatePlan{.rate_rps = 1000, .process = ArrivalProcess::constant};
  const std::uint64_t lines = check_lines(request.format, text);
  request.file = trace_file(text);
  check_plan(request, lines);
  return 0;
}
