// Where a run's threads ran and how comparable its processes were, on the console: rendered
// from the results JSON like the stage tables (console_table.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>

namespace fb::harness {

// One line: placement policy and roles, hash seed, ASLR, environment (context.placement and
// context.process); nothing when the document has neither.
void print_isolation(const nlohmann::json& doc, std::FILE* out);

// Per run: one row per client, worker and event-loop thread (cpus seen, affinity, migrations,
// voluntary / involuntary switches, time on a CPU and waiting for one).
void print_threads(const nlohmann::json& doc, std::FILE* out);

// Per configuration with repetitions: the noise budget (within one process vs between
// processes), and a warning for every configuration whose repetitions form two clusters.
void print_noise(const nlohmann::json& doc, std::FILE* out);

// The results' instrumentation_tax: per configuration, total p50 with every stage point and
// with only the two ends, and the difference with its CI.
void print_instrumentation_tax(const nlohmann::json& doc, std::FILE* out);

}  // namespace fb::harness
