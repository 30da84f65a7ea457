// What went wrong, under the stage tables: per configuration with failed requests, per route the
// count and rate, the handler, and the first distinct errors (type: message) with their counts;
// and the configurations over --max-error-rate. Rendered from ConfigurationAggregate::error_summary.
#pragma once

#include <cstdio>
#include <optional>
#include <vector>

#include "harness/stats/configuration_aggregate.h"

namespace fb::harness {

// Prints nothing when no configuration had an error.
void print_errors(const std::vector<ConfigurationAggregate>& aggregates, std::optional<double> max_error_rate,
                  std::FILE* out);

// The configurations whose error rate exceeds the limit (error_summary.over_limit), as one line
// each for the closing message; empty when none does.
std::vector<std::string> error_rate_failures(const std::vector<ConfigurationAggregate>& aggregates,
                                             std::optional<double> max_error_rate);

}  // namespace fb::harness
