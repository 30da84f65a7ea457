#include "harness/load/trace_parse.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <charconv>

namespace fb::harness {
namespace {

bool is_blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// RFC 9110 token characters: what a method may be made of.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A printable excerpt of a bad value for a message.
std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return s.size() > 40 ? out + "..." : out;
}

TraceLine request_from(std::string method, std::string_view target) {
  if (!is_token(method)) return "method '" + excerpt(method) + "' is not an HTTP token";
  auto split = split_target(target);
  if (auto* error = std::get_if<std::string>(&split)) return *error;
  auto& [path, query] = std::get<std::pair<std::string, std::string>>(split);
  TraceRequest r;
  r.method = std::move(method);
  r.raw_target = std::string(target);
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

}  // namespace

std::string_view trace_format_name(TraceFormat f) { return f == TraceFormat::jsonl ? "jsonl" : "combined"; }

std::optional<TraceFormat> trace_format_from_name(std::string_view name) {
  if (name == "jsonl") return TraceFormat::jsonl;
  if (name == "combined" || name == "common") return TraceFormat::combined;
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;  // needs two more characters
    const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

std::variant<std::pair<std::string, std::string>, std::string> split_target(std::string_view target) {
  if (target.empty()) return std::string("empty request target");
  for (unsigned char c : target) {
    if (c <= 0x20 || c == 0x7f) return "request target '" + excerpt(target) + "' has a space or control character";
  }
  if (target.starts_with("http://") || target.starts_with("https://")) {  // absolute form (proxies)
    const std::size_t authority = target.find("://") + 3;
    const std::size_t slash = target.find_first_of("/?", authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    if (target.front() == '?') return std::string("request target has a query but no path");
  }
  target = target.substr(0, target.find('#'));  // a fragment is never sent; some logs keep it
  const std::size_t q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  const std::string query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  std::optional<std::string> path = percent_decode(raw_path);
  if (!path) return "bad percent-encoding in path '" + excerpt(raw_path) + "'";
  if (path->empty()) return std::string("empty path");
  return std::pair{std::move(*path), query};
}

std::optional<std::int64_t> parse_clf_time(std::string_view s) {
  // dd/Mon/yyyy:HH:MM:SS +zzzz
  if (s.size() != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
      (s[21] != '+' && s[21] != '-')) {
    return std::nullopt;
  }
  auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + len, v);
    if (ec != std::errc() || end != s.data() + at + len) return std::nullopt;
    return v;
  };
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int month = 0;
  while (month < 12 && kMonths[static_cast<std::size_t>(month)] != s.substr(3, 3)) ++month;
  const auto day = number(0, 2), year = number(7, 4), hour = number(12, 2), minute = number(15, 2), second = number(18, 2);
  const auto zh = number(22, 2), zm = number(24, 2);
  if (month == 12 || !day || !year || !hour || !minute || !second || !zh || !zm) return std::nullopt;
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60 || *zh > 23 || *zm > 59) return std::nullopt;
  // Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
  const int y = *year - (month + 1 <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (month + 1 + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + *day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  const std::int64_t offset = (static_cast<std::int64_t>(*zh) * 3600 + *zm * 60) * (s[21] == '-' ? -1 : 1);
  return days * 86400 + *hour * 3600 + *minute * 60 + *second - offset;
}

TraceLine parse_jsonl_line(std::string_view line) {
  if (is_blank(line)) return BlankLine{};
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    return "not JSON (byte " + std::to_string(e.byte) + ")";
  } catch (const nlohmann::json::out_of_range&) {  // valid syntax, but a number beyond a double
    return std::string("a number too large for a double");
  }
  if (!j.is_object()) return std::string("not a JSON object");
  std::string method = "GET";
  if (j.contains("method")) {
    if (!j["method"].is_string()) return std::string("\"method\" is not a string");
    method = j["method"].get<std::string>();
  }
  if (!j.contains("path") || !j["path"].is_string()) return std::string("no \"path\" string");
  TraceLine parsed = request_from(std::move(method), j["path"].get<std::string>());
  auto* r = std::get_if<TraceRequest>(&parsed);
  if (r == nullptr) return parsed;
  if (j.contains("t")) {
    if (!j["t"].is_number()) return std::string("\"t\" is not a number");
    const double t = j["t"].get<double>();
    if (!(t >= 0) || t > 1e9) return "\"t\" " + j["t"].dump() + " is not in [0, 1e9] seconds";
    r->t = t;
  }
  if (j.contains("headers")) {
    if (!j["headers"].is_object()) return std::string("\"headers\" is not an object");
    for (const auto& [name, value] : j["headers"].items()) {
      if (!is_token(name)) return "header name '" + excerpt(name) + "' is not an HTTP token";
      if (!value.is_string()) return "header '" + name + "' is not a string";
      const std::string v = value.get<std::string>();
      if (v.find_first_of("\r\n") != std::string::npos) return "header '" + name + "' has a line break";
      r->headers.emplace_back(name, v);
    }
  }
  if (j.contains("body")) {
    if (!j["body"].is_string()) return std::string("\"body\" is not a string");
    r->body = j["body"].get<std::string>();
  }
  return parsed;
}

TraceLine parse_combined_line(std::string_view line) {
  if (is_blank(line)) return BlankLine{};
  std::size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < line.size() && line[pos] == ' ') ++pos;
  };
  auto token = [&]() -> std::string_view {
    skip_spaces();
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
    return line.substr(start, pos - start);
  };
  // host ident user
  if (token().empty() || token().empty() || token().empty()) return std::string("fewer fields than the common log format");
  skip_spaces();
  if (pos >= line.size() || line[pos] != '[') return std::string("no [time] after host, ident and user");
  const std::size_t close = line.find(']', pos);
  if (close == std::string_view::npos) return std::string("unterminated [time]");
  const std::optional<std::int64_t> when = parse_clf_time(line.substr(pos + 1, close - pos - 1));
  if (!when) return "time '" + excerpt(line.substr(pos + 1, close - pos - 1)) + "' is not dd/Mon/yyyy:HH:MM:SS +zzzz";
  pos = close + 1;
  skip_spaces();
  if (pos >= line.size() || line[pos] != '"') return std::string("no quoted request line after the time");
  // The request line, with Apache's (\" \\) and nginx's (\xHH) escapes undone.
  std::string request;
  for (++pos;; ++pos) {
    if (pos >= line.size()) return std::string("unterminated request line");
    const char c = line[pos];
    if (c == '"') break;
    if (c == '\\' && pos + 1 < line.size()) {
      const char e = line[pos + 1];
      if (e == 'x' && pos + 3 < line.size() && hex_value(line[pos + 2]) >= 0 && hex_value(line[pos + 3]) >= 0) {
        request += static_cast<char>(hex_value(line[pos + 2]) * 16 + hex_value(line[pos + 3]));
        pos += 3;
        continue;
      }
      request += e;
      ++pos;
      continue;
    }
    request += c;
  }
  ++pos;
  const std::string_view status = token();
  const std::string_view bytes = token();
  if (status.size() != 3 || !std::isdigit(static_cast<unsigned char>(status[0])) ||
      !std::isdigit(static_cast<unsigned char>(status[1])) || !std::isdigit(static_cast<unsigned char>(status[2]))) {
    return "status '" + excerpt(status) + "' is not three digits";
  }
  if (bytes.empty() || (bytes != "-" && bytes.find_first_not_of("0123456789") != std::string_view::npos)) {
    return "size '" + excerpt(bytes) + "' is not a number or '-'";
  }
  // Referer and user agent (combined) and anything after them are not needed.
  if (request == "-") return std::string("no request line ('-': the client sent none)");
  const std::size_t sp1 = request.find(' ');
  if (sp1 == std::string::npos) return "request line '" + excerpt(request) + "' has no target";
  const std::size_t sp2 = request.find(' ', sp1 + 1);
  const std::string_view target = std::string_view(request).substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
  if (sp2 != std::string::npos) {
    const std::string_view version = std::string_view(request).substr(sp2 + 1);
    if (!version.starts_with("HTTP/")) return "request line '" + excerpt(request) + "' does not end in HTTP/x.y";
  }
  TraceLine parsed = request_from(request.substr(0, sp1), target);
  if (auto* r = std::get_if<TraceRequest>(&parsed)) r->t = static_cast<double>(*when);
  return parsed;
}

TraceLine parse_trace_line(TraceFormat format, std::string_view line) {
  return format == TraceFormat::jsonl ? parse_jsonl_line(line) : parse_combined_line(line);
}

}  // namespace fb::harness
