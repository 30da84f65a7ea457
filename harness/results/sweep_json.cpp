#include "harness/results/sweep_json.h"

#include "harness/results/json_values.h"

namespace fb::harness {

namespace {

using json = nlohmann::json;

json little_json(const std::optional<LittleCheck>& little) {
  if (!little) return nullptr;
  const LittleCheck& c = *little;
  return {{"samples", c.samples},
          {"measured_in_system", c.measured_in_system},
          {"standard_error", c.standard_error},
          {"predicted_in_system", c.predicted_in_system},
          {"relative_difference", c.relative_difference},
          {"checked", c.checked},
          {"holds", c.holds}};
}

json step_json(const SweepStep& s) {
  json saturated_by = json::array();
  if (s.load.saturated) saturated_by.push_back("rate");
  if (s.latency_saturated) saturated_by.push_back("latency");
  return {{"offered_rps", s.offered_rps},
          {"scheduled_rps", value_or_null(s.load.offered_rps)},
          {"achieved_rps", s.load.achieved_rps},
          {"achieved_ratio", s.load.achieved_ratio},
          {"requests", s.requests},
          {"p50_ns", s.p50_ns},
          {"p99_ns", s.p99_ns},
          {"mean_ns", s.mean_ns},
          {"uncorrected_p99_ns", value_or_null(s.uncorrected_p99_ns)},
          {"late_sends", s.load.late_sends},
          {"max_lag_ns", s.load.max_lag_ns},
          {"saturated", s.saturated()},
          {"saturated_by", saturated_by},
          {"steal_pct", value_or_null(s.steal_pct)},
          {"little", little_json(s.load.little)}};
}

json phase_json(const SweepPhase& p) {
  json steps = json::array();
  for (const SweepStep& s : p.steps) steps.push_back(step_json(s));
  const std::optional<double> baseline = baseline_p99(p.steps);
  const std::optional<double> best = best_p99(p.steps);
  const std::optional<std::size_t> knee = knee_step(p.steps);
  json knee_json = nullptr;
  if (knee) {
    const SweepStep& k = p.steps[*knee];
    knee_json = {{"step", *knee}, {"offered_rps", k.offered_rps}, {"achieved_rps", k.load.achieved_rps},
                 {"p99_ns", k.p99_ns}, {"p99_over_best", k.p99_ns / *best}};
  }
  std::string stopped = "not supported here";
  if (p.unsupported.empty()) stopped = p.climbing ? "rates exhausted" : "saturated";
  return {{"phase", p.label},
          {"opts", p.opts},
          {"supported", p.unsupported.empty()},
          {"unsupported_reason", p.unsupported},
          {"stopped", stopped},
          {"baseline_p99_ns", value_or_null(baseline)},
          {"best_p99_ns", value_or_null(best)},
          {"knee", knee_json},
          {"steps", steps}};
}

}  // namespace

json sweep_to_json(const SweepDocument& doc) {
  json phases = json::array();
  for (const SweepPhase& p : doc.phases) phases.push_back(phase_json(p));
  return {{"schema", "fasterbench-sweep"},
          {"schema_version", kSweepSchemaVersion},
          {"scenario", {{"name", doc.scenario_name}, {"file", doc.scenario_file}}},
          {"context", doc.context},
          {"rules",
           {{"stop_p99_multiple", kSweepStopMultiple},
            {"knee_p99_multiple", kKneeMultiple},
            {"knee_baseline", "best unsaturated p99"},
            {"stop_baseline", "lowest-rate p99"},
            {"saturation_shortfall", kSaturationShortfall},
            {"little_tolerance", kLittleTolerance}}},
          {"rates", {{"mode", doc.rates_mode}, {"requested", doc.rates}}},
          {"generator_limit_rps", value_or_null(doc.generator_limit_rps)},
          {"arrival", doc.arrival},
          {"load_plan", doc.load_plan},
          {"phases", phases}};
}

}  // namespace fb::harness
