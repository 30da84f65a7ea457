// What the stage points cost a request, per configuration: the total p50 with every stage point
// minus the total p50 with only `arrive` and `response_ready` stamped (`run --stamps ends`),
// from repetitions measured in the same invocation, interleaved, each in a fresh process.
// Written as the results' `instrumentation_tax` array.
#pragma once

#include <nlohmann/json.hpp>

namespace fb::harness {

// Suffix of the configurations measured with --stamps ends ("P0/ends").
inline constexpr const char* kEndsSuffix = "/ends";

// `runs`: the results' runs array. One entry per configuration measured both ways:
// {config, repetitions: [all, ends], total_p50_ns: {all, ends}, tax_ns and tax_pct: {median,
// ci_low, ci_high}} (the CI a bootstrap of the difference of medians, harness/stats/aggregate.h
// saving()); tax_pct is of the total with every point.
nlohmann::json instrumentation_tax_from_runs(const nlohmann::json& runs);

}  // namespace fb::harness
