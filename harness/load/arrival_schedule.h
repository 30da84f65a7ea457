// When each request of an open-loop run is meant to leave, and which request it is: the
// schedule is made before the run (seeded, so a run is reproducible and two runs with the same
// seed send the same requests at the same offsets), shared by every sender thread, and never
// bent by how fast the pipeline answers. That is what makes the load open: a slow response
// delays the sends after it, and the delay is measured (`queue`) instead of hidden.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace fb::harness {

enum class ArrivalProcess {
  constant,  // one request every 1/rate seconds
  poisson,   // exponential gaps of mean 1/rate: independent arrivals, as from many users
};

std::string_view arrival_process_name(ArrivalProcess p);
std::optional<ArrivalProcess> arrival_process_from_name(std::string_view name);

struct Arrival {
  std::int64_t at_ns = 0;     // intended send time, from the start of the measured part
  std::uint32_t request = 0;  // index into the run's RequestTable
};

struct ArrivalSchedule {
  std::vector<Arrival> arrivals;  // at_ns ascending
  // The span the schedule covers, from 0: --duration, or up to the arrival after the last one.
  // The offered rate is arrivals / window, what the schedule really asks for (a Poisson
  // schedule's count varies around rate x duration).
  std::int64_t window_ns = 0;

  double offered_rps() const noexcept {
    return window_ns > 0 ? static_cast<double>(arrivals.size()) * 1e9 / static_cast<double>(window_ns) : 0.0;
  }
};

// A schedule at a fixed rate: `count` arrivals, or when count is unset every arrival before
// `duration_ns`. Each arrival's request comes from `pick`, called in arrival order with its
// own generator (seeded from `seed`, apart from the gaps' generator, so the same seed sends the
// same requests under either process).
struct RatePlan {
  double rate_rps = 0;
  ArrivalProcess process = ArrivalProcess::poisson;
  std::optional<std::int64_t> count;
  std::int64_t duration_ns = 0;  // used when count is unset
  std::uint64_t seed = 1;
};
ArrivalSchedule rate_schedule(const RatePlan& plan, const std::function<std::uint32_t(std::mt19937_64&)>& pick);

}  // namespace fb::harness
