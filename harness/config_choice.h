// --phase / --opt / --wait as given on a command line, turned into the pipeline configuration
// (for `serve` and `versus`; `run` has its own copy in cmd_run.cpp).
#pragma once

#include <string>

#include "framework/dispatch/wait_strategy.h"
#include "framework/options.h"

namespace fb::harness {

// `opts` (comma list) wins when given, else `phase` ("" = P0). Throws UsageError for an unknown
// phase or switch, and for a configuration this build or Python cannot run (with the reason).
OptimizationSet resolve_optimization_choice(const std::string& phase, const std::string& opts);

// "" = adaptive; anything else needs lockfree in `opts` (UsageError otherwise).
WaitPolicy resolve_wait_choice(const std::string& wait, const OptimizationSet& opts);

}  // namespace fb::harness
