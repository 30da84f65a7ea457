#include "harness/pipeline_options.h"

#include <cmath>
#include <string>

#include "harness/exit_codes.h"

namespace fb::harness {

void add_pipeline_options(CLI::App& cmd, PipelineOptions& o) {
  cmd.add_option("--demote-budget-us", o.demote_budget_us,
                 "Demotion guard (direct path): a SYNC_FAST handler call longer than this many microseconds "
                 "counts as slow (decimal allowed, default 200)");
  cmd.add_option("--demote-after", o.demote_after,
                 "Demotion guard: slow calls in a row after which a SYNC_FAST route is demoted to SYNC_BLOCKING for "
                 "the rest of the configuration's repetitions (integer >= 1, default 3)");
}

DemotionPolicy resolve_demotion(const PipelineOptions& o) {
  if (!(o.demote_budget_us >= 0) || !std::isfinite(o.demote_budget_us)) {
    throw UsageError("--demote-budget-us must be >= 0, got " + std::to_string(o.demote_budget_us));
  }
  if (o.demote_after < 1 || o.demote_after > 1'000'000'000) {
    throw UsageError("--demote-after must be >= 1, got " + std::to_string(o.demote_after));
  }
  DemotionPolicy p;
  p.budget = std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(o.demote_budget_us * 1000.0)));
  p.after = static_cast<std::uint32_t>(o.demote_after);
  return p;
}

}  // namespace fb::harness
