#include "harness/compare/comparison_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/compare/change_format.h"
#include "harness/text/join.h"
#include "harness/text/units.h"

namespace fb::harness {

using nlohmann::json;

namespace {

// JSON has no infinity: interval ends and ratios that are infinite are written as null.
json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string describe(const SourceInfo& s) {
  return fmt::format("{} · scenario {} · rev {} · {} · Python {}", s.label, s.scenario, s.git_revision, s.date, s.python);
}

struct ComparisonRow {
  std::string config, stage;
  StageCells cells;
  bool significant = false;  // p < alpha: rendered as '*'
};

std::vector<ComparisonRow> rows(const Comparison& c, double alpha) {
  std::vector<ComparisonRow> out;
  for (const ConfigComparison& config : c.configs) {
    for (const StageComparison& s : config.stages) {
      out.push_back({config.config, s.stage, stage_cells(s), s.exercised && s.test.p_value < alpha});
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> comparison_warnings(const Comparison& c) {
  std::vector<std::string> out;
  for (const ContextDifference& d : c.context_differences) {
    out.push_back(fmt::format("the two results differ in {}: baseline '{}', candidate '{}'", d.key, d.baseline, d.candidate));
  }
  if (!c.only_in_baseline.empty()) {
    out.push_back(fmt::format("only in the baseline (not compared): {}", join(c.only_in_baseline)));
  }
  if (!c.only_in_candidate.empty()) {
    out.push_back(fmt::format("only in the candidate (not compared): {}", join(c.only_in_candidate)));
  }
  return out;
}

json comparison_to_json(const Comparison& c, double alpha) {
  auto source = [](const SourceInfo& s) {
    return json{{"label", s.label}, {"scenario", s.scenario}, {"git_revision", s.git_revision}, {"date", s.date},
                {"python", s.python}};
  };
  auto side = [](const SideSummary& s) {
    return json{{"n", s.values.size()}, {"values", s.values}, {"median", s.median}, {"min", s.min}, {"max", s.max}};
  };
  json differences = json::array();
  for (const ContextDifference& d : c.context_differences) {
    differences.push_back({{"key", d.key}, {"baseline", d.baseline}, {"candidate", d.candidate}});
  }
  json configs = json::array();
  for (const ConfigComparison& config : c.configs) {
    json stages = json::array();
    for (const StageComparison& s : config.stages) {
      json j = {{"stage", s.stage}, {"exercised", s.exercised}};
      if (s.exercised) {
        j["baseline"] = side(s.baseline);
        j["candidate"] = side(s.candidate);
        j["ratio"] = number_or_null(s.ratio.ratio);
        j["ratio_ci_low"] = number_or_null(s.ratio.ci_low);
        j["ratio_ci_high"] = number_or_null(s.ratio.ci_high);
        j["mann_whitney"] = {{"u_candidate", s.test.u_x}, {"u_baseline", s.test.u_y}, {"p_value", s.test.p_value},
                             {"method", s.test.method == PValueMethod::exact ? "exact" : "normal"}, {"ties", s.test.ties}};
        j["significant"] = s.test.p_value < alpha;
      }
      stages.push_back(std::move(j));
    }
    configs.push_back({{"config", config.config}, {"stages", stages}});
  }
  return {{"kind", "fasterbench-comparison"},
          {"comparison_schema_version", kComparisonSchemaVersion},
          {"metric", metric_name(c.metric)},
          {"alpha", alpha},
          {"confidence", 0.95},
          {"baseline", source(c.baseline)},
          {"candidate", source(c.candidate)},
          {"context_differences", differences},
          {"only_in_baseline", c.only_in_baseline},
          {"only_in_candidate", c.only_in_candidate},
          {"configs", configs}};
}

std::string render_comparison_text(const Comparison& c, double alpha) {
  std::string out;
  out += fmt::format("baseline:  {}\ncandidate: {}\n", describe(c.baseline), describe(c.candidate));
  const std::vector<ComparisonRow> table = rows(c, alpha);
  std::size_t w = 6;
  for (const ComparisonRow& r : table) w = std::max(w, r.config.size());
  out += fmt::format("\n{:<{}}  {:<9}{:>7}{:>12}{:>12}{:>10}  {:<20}{:>9}\n", "config", w, "stage", "n", "baseline",
                     "candidate", "change", "95% CI of change", "p");
  for (const ComparisonRow& r : table) {
    out += fmt::format("{:<{}}  {:<9}{:>7}{:>12}{:>12}{:>10}  {:<20}{:>9}{}\n", r.config, w, r.stage, r.cells.n,
                       r.cells.baseline, r.cells.candidate, r.cells.change, r.cells.interval, r.cells.p, r.significant ? " *" : "");
  }
  out += fmt::format(
      "({} per repetition; medians over repetitions; change = candidate / baseline - 1 with its 95 % bootstrap "
      "interval; p: Mann-Whitney U over repetitions, two-sided, * when p < {})\n",
      metric_name(c.metric), alpha);
  for (const std::string& w_line : comparison_warnings(c)) out += "warning: " + w_line + "\n";
  return out;
}

std::string render_comparison_markdown(const Comparison& c, double alpha) {
  std::string out = "# fasterbench compare\n\n";
  out += fmt::format("- baseline: {}\n- candidate: {}\n- metric: {} per repetition, medians over repetitions\n\n",
                     describe(c.baseline), describe(c.candidate), metric_name(c.metric));
  out += "| config | stage | n (b/c) | baseline | candidate | change | 95% CI of change | p |\n";
  out += "|---|---|--:|--:|--:|--:|--:|--:|\n";
  for (const ComparisonRow& r : rows(c, alpha)) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {}{} |\n", r.config, r.stage, r.cells.n, r.cells.baseline,
                       r.cells.candidate, r.cells.change, r.cells.interval, r.cells.p, r.significant ? " *" : "");
  }
  out += fmt::format(
      "\nchange = candidate / baseline - 1 of the medians, with a 95 % bootstrap interval; p: Mann-Whitney U over "
      "repetitions, two-sided; * when p < {}.\n",
      alpha);
  const auto warnings = comparison_warnings(c);
  if (!warnings.empty()) {
    out += "\n**Warnings**\n\n";
    for (const std::string& w : warnings) out += "- " + w + "\n";
  }
  return out;
}

}  // namespace fb::harness
