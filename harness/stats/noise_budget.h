// The noise budget of one configuration: how much of its repetition-to-repetition spread comes
// from between processes (placement, layout, what the machine did while that process lived)
// and how much from within one process (drift over the run). Pure functions.
//
// Each repetition is a fresh process whose measured requests are split into K consecutive
// blocks, each with its own `total` p50 (LoadSettings::blocks). With R processes the
// variance decomposes as in a one-way random-effects ANOVA (Searle, Casella & McCulloch,
// "Variance Components", ch. 3):
//   within  = mean over processes of the sample variance of its K block p50s
//   between = sample variance of the R process means  -  within / K   (clamped at 0: the
//             process means vary by within/K from block noise alone)
// Both are reported as coefficients of variation (standard deviation / grand mean, in %), with
// between_share = between / (between + within).
#pragma once

#include <optional>
#include <vector>

namespace fb::harness {

struct NoiseBudget {
  std::size_t processes = 0;
  std::size_t blocks = 0;                  // per process (the smallest count seen)
  std::optional<double> within_pct;        // needs K >= 2
  std::optional<double> between_pct;       // needs R >= 2 and K >= 2
  std::optional<double> between_share;     // of the variance, in [0, 1]; needs both
};

// `blocks[p]` holds process p's block p50s. Processes with fewer than two blocks add nothing to
// `within`; an empty input gives an empty budget.
NoiseBudget noise_budget(const std::vector<std::vector<double>>& blocks);

}  // namespace fb::harness
