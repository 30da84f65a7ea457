// The saturation sweep's judgements (`fasterbench sweep`): when a phase stops climbing, and
// where its knee is. Pure functions over the steps measured, lowest rate first, so the rules are
// tested without running anything (tests/cpp/sweep_rule_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/stats/load_figures.h"

namespace fb::harness {

// A step whose corrected p99 exceeds this multiple of the phase's lowest-rate p99 is saturated
// even when the achieved rate kept up: the queue, not the pipeline, sets its latency.
inline constexpr double kSweepStopMultiple = 10.0;
// The knee: the highest achieved rate, short of saturation, whose p99 is within this multiple of
// the phase's best p99 (the lowest p99 of its unsaturated steps). Not of the lowest-rate p99: at
// the lowest rates the pipeline's threads sleep between requests and their wake-ups set p99 on
// a VM (hello at 1,000 req/s: p99 1.2-1.5 ms; at 64,000: 19-22 µs, same sweep), so a multiple of
// that would call anything short of saturation "within" it.
inline constexpr double kKneeMultiple = 3.0;
// `--rates auto`: doubles from this rate until a phase saturates or the cap.
inline constexpr double kAutoFirstRate = 1000.0;
// ... and never above this share of the load generator's own limit, measured at the start: a
// child whose rate is above the limit it measures itself refuses to run.
inline constexpr double kAutoLimitShare = 0.8;

// One (phase, rate) step: a child `run` at --rate offered_rps, read back from its document.
struct SweepStep {
  double offered_rps = 0;             // as asked (the child's schedule may differ by its rounding)
  LoadFigures load;                   // runs[0].load: achieved rate, late sends, saturated, Little's law
  double p50_ns = 0, p99_ns = 0;      // `total`, from the intended send times
  std::optional<double> uncorrected_p99_ns;  // arrive -> response: what coordinated omission would show
  double mean_ns = 0;
  std::optional<double> steal_pct;    // none: not measurable here
  std::uint64_t requests = 0;
  bool latency_saturated = false;     // p99 > kSweepStopMultiple x the phase's baseline

  bool saturated() const { return load.saturated || latency_saturated; }
};

// One phase's climb.
struct SweepPhase {
  std::string label;                 // "P1"
  std::vector<std::string> opts;     // its optimizations
  std::string unsupported;           // why it cannot run here ("": it can)
  std::vector<SweepStep> steps;      // lowest rate first
  bool climbing = true;              // false once a step saturated
};

// The baseline of the stop rule: the phase's lowest-rate (first) step's p99; none before any step.
std::optional<double> baseline_p99(const std::vector<SweepStep>& steps);

// The baseline of the knee: the lowest p99 of the phase's unsaturated steps; none without one.
std::optional<double> best_p99(const std::vector<SweepStep>& steps);

// Judges `step`, measured after `earlier` (the phase's steps so far, lowest rate first): sets
// latency_saturated from the baseline (the step is the baseline when `earlier` is empty).
// Returns whether the phase stops climbing here.
bool judge_step(const std::vector<SweepStep>& earlier, SweepStep& step);

// The knee of a phase: the highest-rate unsaturated step whose p99 is within kKneeMultiple of
// best_p99 (a step in between may exceed it: one noisy tail does not end the climb, and the
// table shows it); none when even the first step is saturated.
std::optional<std::size_t> knee_step(const std::vector<SweepStep>& steps);

// `--rates` as typed: "auto" (empty result) or comma-separated rates > 0, returned ascending
// without repeats. Throws UsageError naming the bad item.
struct SweepRates {
  bool automatic = false;
  std::vector<double> rates;
};
SweepRates parse_sweep_rates(const std::string& text);

// The rates of `--rates auto` up to `cap`: kAutoFirstRate, doubled while <= cap.
std::vector<double> automatic_rates(double cap);

}  // namespace fb::harness
