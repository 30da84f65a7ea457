// What one measurement sends, and when: the scenario's mix in a closed loop, the mix on a rate
// schedule (open loop), or a replayed trace. Made before anything starts, so a bad trace is a
// usage error (exit 2) before the app or any thread exists; shared by every repetition.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "harness/load/arrival_schedule.h"
#include "harness/load/generator_limit.h"
#include "harness/load/replay.h"
#include "harness/load/request_mix.h"
#include "harness/measure/run_settings.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

class LoadPlan {
 public:
  // Throws UsageError: a trace that cannot be replayed (replay.h), or that offers nothing.
  LoadPlan(const Scenario& scenario, const RunSettings& settings);

  bool open() const noexcept { return schedule_.has_value(); }
  const std::string& mode() const noexcept { return mode_; }  // closed | open | replay
  const RequestMix& mix() const noexcept { return *mix_; }
  // Open loop: the requests the schedule indexes, and the schedule.
  const RequestTable& table() const noexcept { return replay_ ? replay_->table : mix_->table(); }
  const ArrivalSchedule& schedule() const { return *schedule_; }
  std::size_t route_count() const noexcept { return mix_->size(); }
  const ReplayReport* replay() const noexcept { return replay_ ? &replay_->report : nullptr; }
  // Measured requests per repetition: the closed loop's budget or the schedule's arrivals.
  std::int64_t measured_requests() const noexcept { return measured_; }
  // "2000 req/s poisson for 5 s (10,000 arrivals)" or "trace.log at 2x (9,873 requests over 61.2 s)".
  std::string describe() const;

 private:
  std::string mode_ = "closed";
  std::unique_ptr<RequestMix> mix_;
  std::unique_ptr<ReplayPlan> replay_;
  std::optional<ArrivalSchedule> schedule_;
  std::int64_t measured_ = 0;
  std::string description_;
};

// Open loop and replay: measures the load generator's own limit with the plan's senders
// (generator_limit.h) and refuses, with a UsageError naming both rates, a plan that offers more
// than it. Returns the limit, for the results and the console.
GeneratorLimit check_generator_limit(const LoadPlan& plan, std::int64_t senders);

}  // namespace fb::harness
