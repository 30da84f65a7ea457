#include "harness/load/http_target.h"

#include <charconv>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

HttpTarget parse_http_target(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0) throw UsageError("--target " + url + ": https is not supported (plain http:// only)");
  if (url.rfind(scheme, 0) != 0) throw UsageError("--target " + url + ": expected http://HOST:PORT");
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos) {
    throw UsageError("--target " + url + ": give the server only (http://HOST:PORT); the paths come from the scenario");
  }
  HttpTarget t;
  t.url = url;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8000
    const std::size_t close = rest.find(']');
    if (close == std::string::npos) throw UsageError("--target " + url + ": unterminated [IPv6 address]");
    t.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw UsageError("--target " + url + ": expected ':' after ']'");
      port_text = rest.substr(close + 2);
    }
  } else {
    const std::size_t colon = rest.find(':');
    t.host = rest.substr(0, colon);
    if (colon != std::string::npos) port_text = rest.substr(colon + 1);
  }
  if (t.host.empty()) throw UsageError("--target " + url + ": no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      throw UsageError("--target " + url + ": port must be a number in [1, 65535], got '" + port_text + "'");
    }
    t.port = static_cast<std::uint16_t>(port);
  }
  return t;
}

std::vector<std::string> wire_requests(const RequestMix& mix, const HttpTarget& target) {
  return wire_requests(mix.table(), target);
}

std::vector<std::string> wire_requests(const RequestTable& table, const HttpTarget& target) {
  const std::string host = target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  std::vector<std::string> out;
  for (std::size_t r = 0; r < table.size(); ++r) {
    const Request& req = table.request(r);
    std::string w;
    w.append(req.method).append(" ");
    if (const std::string& raw = table.spec(r).raw_target; !raw.empty()) {
      w.append(raw);
    } else {
      w.append(req.path);
      if (!req.query.empty()) w.append("?").append(req.query);
    }
    w.append(" HTTP/1.1\r\nHost: ").append(host).append(":").append(std::to_string(target.port)).append("\r\n");
    for (const Header& h : req.headers) w.append(h.name).append(": ").append(h.value).append("\r\n");
    if (!req.body.empty() || (req.method != "GET" && req.method != "HEAD")) {
      w.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
    }
    w.append("\r\n").append(req.body);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace fb::harness
