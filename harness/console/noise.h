// How comparable a document's numbers are, on the console: where the threads ran, the process
// hygiene, the noise budget, two populations, and what the instrument itself costs. Rendered
// from typed records, like the stage tables (stage_tables.h).
#pragma once

#include <cstdio>
#include <vector>

#include "harness/results/results_model.h"
#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/stats/instrumentation_tax.h"

namespace fb::harness {

// One line: placement policy and roles, hash seed, ASLR, environment; nothing when the
// document records neither.
void print_isolation(const DocumentSummary& doc, std::FILE* out);

// Per run: one row per client, worker and event-loop thread (cpus seen, affinity, migrations,
// voluntary / involuntary switches, time on a CPU and waiting for one).
void print_threads(const ResultsDocument& doc, std::FILE* out);

// Per configuration with repetitions: the noise budget (within one repetition vs between
// repetitions, i.e. processes under `phases`), and a warning for every configuration whose
// repetitions form two clusters.
void print_noise(const DocumentSummary& doc, const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out);

// Per configuration: total p50 with every stage point and with the ends only, and the
// difference with its CI.
void print_instrumentation_tax(const DocumentSummary& doc, const std::vector<InstrumentationTax>& taxes, std::FILE* out);

}  // namespace fb::harness
