#include "harness/measure/load_plan.h"

#include <fmt/format.h>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

LoadPlan::LoadPlan(const Scenario& scenario, const RunSettings& settings) : mix_(std::make_unique<RequestMix>(scenario)) {
  if (!settings.open) {
    measured_ = settings.requests;
    description_ = fmt::format("closed loop, {} client(s), {} requests", settings.clients, settings.requests);
    return;
  }
  const OpenLoad& open = *settings.open;
  mode_ = open.mode();
  std::optional<RatePlan> rate;
  if (open.rate_rps) {
    RatePlan r;
    r.rate_rps = *open.rate_rps;
    r.process = open.arrival;
    r.count = open.requests;
    r.duration_ns = static_cast<std::int64_t>(open.duration_s * 1e9);
    r.seed = settings.seed;
    rate = r;
  }
  if (open.replay) {
    ReplayRequest request;
    request.file = open.replay->file;
    request.format = open.replay->format;
    request.speed = open.replay->speed;
    request.strict = open.replay->strict;
    request.rate = rate;
    request.seed = settings.seed;
    try {
      replay_ = plan_replay(scenario, request);
    } catch (const ReplayError& e) {
      throw UsageError(e.what());
    }
    schedule_ = replay_->schedule;
    const ReplayReport& r = replay_->report;
    description_ = rate ? fmt::format("replay of {} at {:g} req/s {} ({} requests)", r.file, *open.rate_rps,
                                      arrival_process_name(open.arrival), r.requests)
                        : fmt::format("replay of {} at {:g}x recorded speed ({} requests over {:.1f} s)", r.file,
                                      open.replay->speed, r.requests, static_cast<double>(schedule_->window_ns) / 1e9);
  } else {
    const RequestMix& mix = *mix_;
    schedule_ = rate_schedule(*rate, [&mix](std::mt19937_64& rng) { return static_cast<std::uint32_t>(mix.pick(rng)); });
    description_ = fmt::format("open loop at {:g} req/s {}, {} sender(s), {} arrivals over {:.3g} s", *open.rate_rps,
                               arrival_process_name(open.arrival), settings.clients, schedule_->arrivals.size(),
                               static_cast<double>(schedule_->window_ns) / 1e9);
  }
  if (schedule_->arrivals.empty()) throw UsageError("the open-loop schedule is empty: raise --rate or --duration");
  measured_ = static_cast<std::int64_t>(schedule_->arrivals.size());
}

std::string LoadPlan::describe() const { return description_; }

GeneratorLimit check_generator_limit(const LoadPlan& plan, std::int64_t senders) {
  GeneratorLimit limit = measure_generator_limit(senders);
  const double offered = plan.schedule().offered_rps();
  if (offered > limit.rps) {
    throw UsageError(fmt::format("the schedule offers {:.0f} req/s, above what the load generator sustains here: {:.0f} "
                                 "req/s with {} sender thread(s) and no-op sends (measured just now); lower --rate{}",
                                 offered, limit.rps, limit.senders, plan.replay() != nullptr ? " or --speed" : ""));
  }
  return limit;
}

}  // namespace fb::harness
