// One request's stage latencies in nanoseconds, derived from its point stamps.
#pragma once

#include <array>
#include <cstdint>

#include "probes/clock.h"
#include "probes/stage_names.h"

namespace fb::probes {

struct StageLatencies {
  std::array<std::int64_t, kStageCount> ns{};  // `other` may be negative (clock skew, rounding)
  std::array<bool, kStageCount> present{};     // the request went through this stage
};

// Stamps as taken by the framework: raw clock ticks, 0 where the request skipped the point.
using PointStamps = std::array<Ticks, kPointCount>;

// Turns stamps into stages per the table in probes/stage_ids.h. `other` = total - the sum of the
// stages this request went through, so the closure holds on every path.
//
// `intended`: the tick at which the load generator meant to send the request (open loop, replay),
// or 0 (closed loop: no schedule). When given and `arrive` was stamped, `queue` = intended ->
// arrive and `total` runs from `intended` (coordinated omission corrected); `other` is unchanged,
// since `queue` is one of the parts it closes over.
StageLatencies stage_latencies(const PointStamps& at, const ClockCalibration& clock, Ticks intended = 0);

}  // namespace fb::probes
