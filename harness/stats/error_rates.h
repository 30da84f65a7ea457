// Errors per configuration, over its repetitions: how many requests ended in a 5xx, the rate,
// and per route the first distinct errors (type, message, handler) with their counts, so the
// console and the report can say what went wrong. And the --max-error-rate check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/route_errors.h"
#include "harness/results/summaries.h"

namespace fb::harness {

// Distinct errors kept per route over all repetitions (each run keeps the framework's first
// kMaxErrorSamples; merged, the first this many in order of appearance are shown).
inline constexpr std::size_t kMaxErrorMessagesPerRoute = 5;

// The default --max-error-rate of `phases`: a configuration with more than 1 % failed requests
// is measuring its failures, not the pipeline. `run` has no default limit.
inline constexpr double kDefaultPhasesMaxErrorRate = 0.01;

struct RouteErrorSummary {
  std::size_t route = 0;
  std::string method, path;
  std::uint64_t requests = 0, errors = 0;  // summed over repetitions
  std::vector<ErrorMessage> messages;      // merged by (type, message, handler), counts summed
};

struct ErrorSummary {
  std::uint64_t requests = 0, errors = 0;  // summed over the measured repetitions
  double rate = 0;                         // errors / requests; 0 without requests
  std::vector<RouteErrorSummary> routes;   // the routes with at least one error, in route order
  bool over_limit = false;                 // rate > the --max-error-rate in force
};

// Over the measured repetitions of one configuration (runs without measurements are skipped).
ErrorSummary summarize_errors(const std::vector<const RunSummary*>& repetitions);

// Whether `summary` exceeds `max_rate` (none: no limit). A rate equal to the limit passes.
bool exceeds_error_rate(const ErrorSummary& summary, std::optional<double> max_rate);

// "--max-error-rate" as typed: "off", or a fraction in [0, 1] ("0.01"). Throws UsageError.
std::optional<double> parse_max_error_rate(const std::string& text);

}  // namespace fb::harness
