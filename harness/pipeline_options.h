// Options that configure the pipeline itself rather than the load: shared by `run` and the
// commands that measure several configurations. Every flag is documented where it is added.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

#include "framework/app.h"

namespace fb::harness {

struct PipelineOptions {
  double demote_budget_us = 200.0;  // --demote-budget-us
  std::int64_t demote_after = 3;    // --demote-after
};

void add_pipeline_options(CLI::App& cmd, PipelineOptions& options);

// The demotion guard's settings. Throws UsageError for a negative budget or a count < 1.
DemotionPolicy resolve_demotion(const PipelineOptions& options);

}  // namespace fb::harness
