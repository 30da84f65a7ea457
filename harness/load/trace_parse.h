// One line of a recorded trace, parsed: JSON Lines (`{"t": 0.25, "method": "GET", "path":
// "/items/7?x=1", "headers": {...}, "body": "..."}`) or an Apache/nginx access log in the
// combined or common format (`host ident user [10/Oct/2023:13:55:36 +0000] "GET /a?b=1 HTTP/1.1"
// 200 512 "referer" "agent"`). Pure functions over one line, so every odd line can be tested
// alone; harness/load/replay.h reads whole files with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fb::harness {

enum class TraceFormat { jsonl, combined };
std::string_view trace_format_name(TraceFormat f);
std::optional<TraceFormat> trace_format_from_name(std::string_view name);

// Lines longer than this are malformed (and never held in memory whole).
inline constexpr std::size_t kMaxTraceLine = 1 << 20;

struct TraceRequest {
  // Seconds: from the trace's start (jsonl `t`) or since the Unix epoch (combined, whole
  // seconds). Unset: the line has no time (jsonl without `t`), usable only at a fixed --rate.
  std::optional<double> t;
  std::string method = "GET";
  std::string raw_target;  // the request-target as recorded: "/items/7?x=%20y"
  std::string path;        // its path, percent-decoded: "/items/7"
  std::string query;       // after '?', as recorded (the handler decodes it)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct BlankLine {};  // empty or whitespace only: skipped, not malformed

// The line, or why it is malformed (one short phrase, no file or line number).
using TraceLine = std::variant<TraceRequest, BlankLine, std::string>;

TraceLine parse_jsonl_line(std::string_view line);
TraceLine parse_combined_line(std::string_view line);
TraceLine parse_trace_line(TraceFormat format, std::string_view line);

// "/a%20b" -> "/a b". nullopt for a '%' not followed by two hex digits, or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text);

// Splits a request-target into a decoded path and the raw query; an absolute-form target
// ("http://host/p?q") loses its scheme and authority. The error names what is wrong.
std::variant<std::pair<std::string, std::string>, std::string> split_target(std::string_view target);

// "10/Oct/2023:13:55:36 +0200" -> seconds since the Unix epoch (UTC). nullopt when malformed.
std::optional<std::int64_t> parse_clf_time(std::string_view text);

}  // namespace fb::harness
