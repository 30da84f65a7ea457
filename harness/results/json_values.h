// Small pieces the results writers share.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>

namespace fb::harness {

// A figure that may be unknown: its value, or null (how the results documents write "not measured").
template <typename T>
nlohmann::json value_or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace fb::harness
