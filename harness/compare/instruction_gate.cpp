#include "harness/compare/instruction_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "harness/cli/exit_codes.h"

namespace fb::harness {

using nlohmann::json;

namespace {

// One side's repetitions of one configuration.
struct Side {
  std::vector<double> totals;
  std::map<std::string, std::vector<double>> stages;  // stage -> per repetition
  bool executor = false;                              // some request went through dispatch
};

std::map<std::string, Side> sides_of(const json& doc, const std::string& label, std::vector<std::string>& order) {
  std::map<std::string, Side> out;
  for (const json& run : doc.at("runs")) {
    if (!run.value("supported", true)) continue;
    if (run.value("measure", "time") != "instructions" || !run.contains("instructions_per_request")) {
      throw UsageError(fmt::format("{}: runs[] were not measured in instructions (run with --measure instructions to "
                                   "gate with --metric instructions)", label));
    }
    const std::string config = run.at("config").get<std::string>();
    if (!out.count(config)) order.push_back(config);
    Side& side = out[config];
    side.totals.push_back(run.at("instructions_per_request").get<double>());
    for (const auto& [stage, values] : run.at("stages").items()) {
      if (values.contains("instructions_per_request")) side.stages[stage].push_back(values.at("instructions_per_request").get<double>());
    }
    if (run.at("stages").contains("dispatch") && run.at("stages").at("dispatch").value("count", 0) > 0) side.executor = true;
  }
  return out;
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// (max - min) / mean; 0 for fewer than two values or a zero mean.
double spread(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double m = mean(v);
  return m > 0 ? (*hi - *lo) / m : 0;
}

}  // namespace

InstructionGateResult judge_instructions(const json& baseline, const std::string& baseline_label, const json& candidate,
                                         const std::string& candidate_label, const std::vector<std::string>& stages,
                                         double threshold) {
  InstructionGateResult result;
  result.threshold = threshold;
  std::vector<std::string> order, candidate_order;
  const std::map<std::string, Side> base = sides_of(baseline, baseline_label, order);
  const std::map<std::string, Side> cand = sides_of(candidate, candidate_label, candidate_order);
  for (const std::string& config : candidate_order) {
    if (!base.count(config)) result.warnings.push_back(fmt::format("{} is in the candidate only: not judged", config));
  }
  for (const std::string& config : order) {
    if (!cand.count(config)) {
      result.warnings.push_back(fmt::format("{} is in the baseline only: not judged", config));
      continue;
    }
    const Side& b = base.at(config);
    const Side& c = cand.at(config);
    InstructionConfigVerdict v;
    v.config = config;
    v.baseline_repetitions = b.totals.size();
    v.candidate_repetitions = c.totals.size();
    const bool executor = b.executor || c.executor;
    v.repeatability = executor ? kRepeatabilityExecutor : kRepeatabilityDirect;
    v.repeatability_source = fmt::format("{} path, measured (docs/instructions.md)", executor ? "executor" : "direct");
    for (const auto& [name, side] : {std::pair{"baseline", &b}, std::pair{"candidate", &c}}) {
      const double s = spread(side->totals);
      if (s > v.repeatability) {
        v.repeatability = s;
        v.repeatability_source = fmt::format("spread of the {}'s {} repetitions", name, side->totals.size());
      }
    }
    const double base_total = mean(b.totals);
    for (const std::string& stage : stages) {
      InstructionStageVerdict s;
      s.config = config;
      s.stage = stage;
      const auto bs = b.stages.find(stage), cs = c.stages.find(stage);
      s.baseline = stage == "total" ? base_total : bs != b.stages.end() ? mean(bs->second) : 0;
      s.candidate = stage == "total" ? mean(c.totals) : cs != c.stages.end() ? mean(cs->second) : 0;
      s.change = s.baseline > 0 ? s.candidate / s.baseline - 1
                 : s.candidate > 0 ? std::numeric_limits<double>::infinity()
                                   : 0;
      s.allowed = threshold * s.baseline + v.repeatability * base_total;
      const double increase = s.candidate - s.baseline;
      s.verdict = increase > s.allowed ? Verdict::regression : -increase > s.allowed ? Verdict::improvement : Verdict::pass;
      if (s.verdict == Verdict::regression) result.overall = Verdict::regression;
      else if (s.verdict == Verdict::improvement && result.overall == Verdict::pass) result.overall = Verdict::improvement;
      v.stages.push_back(std::move(s));
    }
    result.configs.push_back(std::move(v));
  }
  if (result.configs.empty()) {
    throw UsageError(fmt::format("no configuration is in both {} and {}", baseline_label, candidate_label));
  }
  return result;
}

std::string render_instruction_gate_text(const InstructionGateResult& r) {
  std::string out = fmt::format("gate on instructions per request (threshold {:.2g} %, beyond the repeatability below)\n",
                                r.threshold * 100);
  std::vector<std::string> named;
  for (const InstructionConfigVerdict& c : r.configs) {
    out += fmt::format("\n{}: {} vs {} repetition(s); repeatability assumed {:.2g} % ({})\n", c.config,
                       c.baseline_repetitions, c.candidate_repetitions, c.repeatability * 100, c.repeatability_source);
    out += fmt::format("  {:<9} {:>13} {:>13} {:>9} {:>11}  {}\n", "stage", "baseline", "candidate", "change", "allowed", "verdict");
    for (const InstructionStageVerdict& s : c.stages) {
      const std::string change = std::isinf(s.change) ? std::string("new") : fmt::format("{:+.3f}%", s.change * 100);
      out += fmt::format("  {:<9} {:>13.1f} {:>13.1f} {:>9} {:>11.1f}  {}\n", s.stage, s.baseline, s.candidate, change,
                         s.allowed, verdict_name(s.verdict));
      if (s.verdict != Verdict::pass) named.push_back(fmt::format("{} {} {}", c.config, s.stage, change));
    }
  }
  out += fmt::format("\n{}", verdict_name(r.overall));
  if (!named.empty()) {
    out += ":";
    for (const std::string& n : named) out += " " + n + ";";
    out.pop_back();
  }
  out += "\n";
  return out;
}

}  // namespace fb::harness
