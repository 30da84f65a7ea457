// The table `fasterbench versus` prints: per server requests/s with its interval, p50, p99, CPU
// per request, the ratio to FastAPI with its interval, and the plan's claim beside it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>

namespace fb::harness {

// Renders versus.json (versus_results.h), so the console shows what the file holds.
void print_versus_table(const nlohmann::json& doc, std::FILE* out);

}  // namespace fb::harness
