// Names of stages and points as they appear in results JSON, tables and USDT probes.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "probes/stage_ids.h"

namespace fb::probes {

inline constexpr std::size_t kStageCount = FB_STAGE_COUNT;
inline constexpr std::size_t kPointCount = FB_POINT_COUNT;

inline constexpr std::array<std::string_view, kStageCount> kStageNames = {
    "route", "dispatch", "gil", "marshal", "handler", "future", "other", "total"};

inline constexpr std::array<std::string_view, kPointCount> kPointNames = {
    "arrive",          "route_matched",  "future_create",   "future_created", "enqueue",
    "dequeue",         "gil_request",    "gil_acquired",    "handler_call",   "handler_return",
    "marshal_done",    "future_set",     "future_observed", "response_ready"};

constexpr std::string_view stage_name(fb_stage s) { return kStageNames[s]; }

inline std::optional<fb_stage> stage_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kStageCount; ++i) {
    if (kStageNames[i] == name) return static_cast<fb_stage>(i);
  }
  return std::nullopt;
}

}  // namespace fb::probes
