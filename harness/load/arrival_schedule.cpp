#include "harness/load/arrival_schedule.h"

#include <cmath>

namespace fb::harness {

std::string_view arrival_process_name(ArrivalProcess p) {
  return p == ArrivalProcess::constant ? "constant" : "poisson";
}

std::optional<ArrivalProcess> arrival_process_from_name(std::string_view name) {
  if (name == "constant") return ArrivalProcess::constant;
  if (name == "poisson") return ArrivalProcess::poisson;
  return std::nullopt;
}

ArrivalSchedule rate_schedule(const RatePlan& plan, const std::function<std::uint32_t(std::mt19937_64&)>& pick) {
  ArrivalSchedule s;
  const double gap_ns = 1e9 / plan.rate_rps;
  std::mt19937_64 gaps(plan.seed * 2654435761ull + 17);
  std::mt19937_64 requests(plan.seed * 1000003ull + 7);
  std::exponential_distribution<double> exponential(1.0 / gap_ns);
  // Arrival i of a constant schedule is at i/rate exactly (no accumulated rounding); a Poisson
  // schedule's first arrival comes one exponential gap after 0, as a Poisson process started at 0.
  double t = 0;
  for (std::int64_t i = 0;; ++i) {
    if (plan.process == ArrivalProcess::constant) {
      t = static_cast<double>(i) * gap_ns;
    } else {
      t += exponential(gaps);
    }
    const auto at = static_cast<std::int64_t>(std::llround(t));
    const bool done = plan.count ? i >= *plan.count : at >= plan.duration_ns;
    if (done) {
      // The window ends at the first arrival not sent (count), or at the duration.
      s.window_ns = plan.count ? at : plan.duration_ns;
      break;
    }
    s.arrivals.push_back({at, pick(requests)});
  }
  return s;
}

}  // namespace fb::harness
