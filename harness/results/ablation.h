// What each optimization saves alone (vs P0) and when left out (vs all four), from the total
// p50 of each repetition. Written as the results' `ablation` array.
#pragma once

#include <nlohmann/json.hpp>

namespace fb::harness {

// `runs`: the results' runs array. Returns one entry per optimization whose two comparisons
// (P0 vs alone, all-but vs all) were both measured and supported; an empty array otherwise.
nlohmann::json ablation_from_runs(const nlohmann::json& runs);

}  // namespace fb::harness
