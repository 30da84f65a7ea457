#include "harness/stats/error_rates.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

ErrorSummary summarize_errors(const std::vector<const RunSummary*>& repetitions) {
  ErrorSummary out;
  std::map<std::size_t, RouteErrorSummary> routes;  // ordered by route index
  for (const RunSummary* run : repetitions) {
    if (!run->measured()) continue;
    out.requests += run->requests;
    out.errors += run->errors;
    for (const RouteSummary& r : run->routes) {
      RouteErrorSummary& s = routes[r.route];
      s.route = r.route;
      s.method = r.method;
      s.path = r.path;
      s.requests += r.requests;
      s.errors += r.errors;
      for (const ErrorMessage& m : r.error_messages) {
        auto same = [&m](const ErrorMessage& e) { return e.type == m.type && e.message == m.message && e.handler == m.handler; };
        auto it = std::find_if(s.messages.begin(), s.messages.end(), same);
        if (it != s.messages.end()) {
          it->count += m.count;
        } else if (s.messages.size() < kMaxErrorMessagesPerRoute) {
          s.messages.push_back(m);
        }
      }
    }
  }
  out.rate = out.requests == 0 ? 0.0 : static_cast<double>(out.errors) / static_cast<double>(out.requests);
  for (auto& [index, r] : routes) {
    if (r.errors > 0) out.routes.push_back(std::move(r));
  }
  return out;
}

bool exceeds_error_rate(const ErrorSummary& summary, std::optional<double> max_rate) {
  return max_rate && summary.rate > *max_rate;
}

std::optional<double> parse_max_error_rate(const std::string& text) {
  if (text == "off") return std::nullopt;
  double rate = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(rate) || rate < 0 || rate > 1) {
    throw UsageError("--max-error-rate must be a fraction in [0, 1] (0.01 = 1 %) or off, got '" + text + "'");
  }
  return rate;
}

}  // namespace fb::harness
