// Names of stages and points as they appear in results JSON, tables and USDT probes, from the
// tables in probes/stage_ids.h.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "probes/stage_ids.h"

namespace fb::probes {

inline constexpr std::size_t kStageCount = FB_STAGE_COUNT;
inline constexpr std::size_t kPointCount = FB_POINT_COUNT;
// route .. total: the stages stage points delimit; the HTTP front end's (recv, send) follow.
inline constexpr std::size_t kPipelineStageCount = FB_PIPELINE_STAGE_COUNT;

#define FB_STAGE_NAME(id, name, kind, from1, to1, from2, to2) #name,
inline constexpr std::array<std::string_view, kStageCount> kStageNames = {FB_STAGES(FB_STAGE_NAME)};
#undef FB_STAGE_NAME

#define FB_POINT_NAME(id, name, stage_after, then) #name,
inline constexpr std::array<std::string_view, kPointCount> kPointNames = {FB_POINTS(FB_POINT_NAME)};
#undef FB_POINT_NAME

constexpr std::string_view stage_name(fb_stage s) { return kStageNames[s]; }

inline std::optional<fb_stage> stage_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kStageCount; ++i) {
    if (kStageNames[i] == name) return static_cast<fb_stage>(i);
  }
  return std::nullopt;
}

}  // namespace fb::probes
