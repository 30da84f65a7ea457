#include "harness/console/errors.h"

#include <fmt/format.h>

#include "harness/text/units.h"

namespace fb::harness {
namespace {

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? "-" : fmt::format("{:.1f} %", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string count(std::uint64_t n) { return format_count(static_cast<double>(n)); }

// A limit as a percentage: 0.01 -> "1 %", 0.005 -> "0.5 %".
std::string percent_text(double fraction) { return fmt::format("{:g} %", fraction * 100); }

}  // namespace

void print_errors(const std::vector<ConfigurationAggregate>& aggregates, std::optional<double> max_error_rate,
                  std::FILE* out) {
  for (const ConfigurationAggregate& a : aggregates) {
    const ErrorSummary& e = a.error_summary;
    if (!a.measured() || e.errors == 0) continue;
    const std::string limit = !max_error_rate ? ""
                              : e.over_limit  ? fmt::format(", OVER the limit of {} (--max-error-rate {})",
                                                            percent_text(*max_error_rate), *max_error_rate)
                                              : fmt::format(", within the limit of {}", percent_text(*max_error_rate));
    fmt::print(out, "errors in {}: {} of {} requests failed ({}){}\n", a.config, count(e.errors), count(e.requests),
               percent(e.errors, e.requests), limit);
    for (const RouteErrorSummary& r : e.routes) {
      const std::string handler = r.messages.empty() ? "" : "  handler " + r.messages.front().handler;
      fmt::print(out, "  {} {}: {} of {} ({}){}\n", r.method, r.path, count(r.errors), count(r.requests),
                 percent(r.errors, r.requests), handler);
      std::uint64_t shown = 0;
      for (const ErrorMessage& m : r.messages) {
        fmt::print(out, "    {:>9} x {}{}\n", count(m.count), m.type, m.message.empty() ? "" : ": " + m.message);
        shown += m.count;
      }
      if (shown < r.errors) fmt::print(out, "    {:>9} x other errors (only the first distinct ones are kept)\n", count(r.errors - shown));
    }
  }
}

std::vector<std::string> error_rate_failures(const std::vector<ConfigurationAggregate>& aggregates,
                                             std::optional<double> max_error_rate) {
  std::vector<std::string> out;
  if (!max_error_rate) return out;
  for (const ConfigurationAggregate& a : aggregates) {
    if (!a.measured() || !a.error_summary.over_limit) continue;
    out.push_back(fmt::format("{}: {} of {} requests failed ({} > {})", a.config, count(a.error_summary.errors),
                              count(a.error_summary.requests), percent(a.error_summary.errors, a.error_summary.requests),
                              percent_text(*max_error_rate)));
  }
  return out;
}

}  // namespace fb::harness
