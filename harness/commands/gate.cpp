#include "harness/commands/gate.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "harness/baselines/baseline_store.h"
#include "harness/compare/comparison.h"
#include "harness/compare/comparison_report.h"
#include "harness/compare/gate_json.h"
#include "harness/compare/gate_report.h"
#include "harness/compare/instruction_gate.h"
#include "harness/compare/verdict.h"
#include "harness/cli/exit_codes.h"
#include "harness/results/atomic_file.h"

namespace fb::harness {

double parse_threshold_percent(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c != ' ' && c != '%') s += c;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !(value > 0) || !(value < 100)) {
    throw UsageError(fmt::format("--threshold: expected a percentage in (0, 100) such as 5% or 2.5, got '{}'", text));
  }
  return value / 100;
}

double parse_min_effect_ns(const std::string& text) {
  std::string s = text;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "ns") == 0) s.resize(s.size() - 2);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !(value >= 0) || !std::isfinite(value)) {
    throw UsageError(fmt::format("--min-effect: expected nanoseconds >= 0 such as 100 or 100ns, got '{}'", text));
  }
  return value;
}

void describe_gate_command(Command& root, GateOptions& o) {
  Command& cmd = root.add_subcommand(
      "gate",
      "CI regression gate: candidate vs baseline per configuration and stage -> PASS, IMPROVEMENT, REGRESSION or "
      "INCONCLUSIVE. Exit 0 pass/improvement, 1 regression, 3 inconclusive, 2 usage or input error");
  cmd.add({.name = "--baseline", .target = &o.baseline,
           .help = "Baseline: a results JSON (path with '/' or ending in .json) or a stored baseline name", .required = true});
  cmd.add({.name = "--candidate", .target = &o.candidate, .help = "Candidate results JSON (or a stored baseline name)",
           .required = true});
  cmd.add({.name = "--threshold", .target = &o.threshold,
           .help = "Smallest slowdown that counts, in percent (default 5%; 1% with --metric instructions): REGRESSION "
                   "needs the 95 % CI of candidate/baseline entirely above 1 + threshold (instructions: the change "
                   "beyond threshold + the measured repeatability)",
           .type_name = "PCT"});
  cmd.add({.name = "--min-effect", .target = &o.min_effect,
           .help = "Smallest slowdown that counts in any stage, in ns (default 100): a stage's limit is the larger of "
                   "the threshold and this over its baseline median; 0 disables",
           .type_name = "NS"});
  cmd.add({.name = "--stages", .target = &o.stages,
           .help = "Comma-separated stages to gate (default: route,dispatch,gil,marshal,handler,future,total; `other` "
                   "is the closure residual)"});
  cmd.add({.name = "--metric", .target = &o.metric,
           .help = "Per-run value gated: p50 (default) or p99 of each stage's time, or instructions (instructions per "
                   "request of documents measured with --measure instructions; one repetition per side decides, "
                   "see docs/instructions.md)",
           .choices = {"p50", "p99", "instructions"}});
  cmd.add({.name = "--alpha", .target = &o.alpha,
           .help = "Significance level of the Mann-Whitney test over repetitions (default 0.01; needs >= 5 repetitions per "
                   "side, 0.05 needs >= 4)",
           .range = std::pair{1e-6, 0.5}});
  cmd.add({.name = "--junit", .target = &o.junit,
           .help = "Write JUnit XML here (atomically): one testcase per configuration and stage"});
  cmd.add({.name = "--github", .target = &o.github,
           .help = "Print GitHub workflow annotations (::error for regressions, ::warning otherwise)"});
  cmd.add({.name = "--format", .target = &o.format,
           .help = "What goes to stdout: text (the verdict table, default) or json (the comparison with every stage's "
                   "verdict, limit and reason, the overall verdict and the warnings: \"kind\": \"fasterbench-gate\", "
                   "docs/gate.md); the exit status is the same",
           .choices = {"text", "json"}, .excludes = {"--github"}});
  cmd.add({.name = "--summary", .target = &o.summary,
           .help = "Write a Markdown summary here (atomically), e.g. to append to $GITHUB_STEP_SUMMARY"});
  cmd.add({.name = "--store", .target = &o.store,
           .help = "Baseline store directory (default: $FASTERBENCH_BASELINES or .fasterbench/baselines)"});
}

namespace {

void write_output(const std::string& flag, const std::string& path, const std::string& text) {
  try {
    write_file_atomically(path, text);
  } catch (const OutputError& e) {
    // Exit 1 would read as "regression": an unwritable output is a usage problem.
    throw UsageError(fmt::format("{}: {}", flag, e.what()));
  }
}

// --metric instructions: instruction counts, one repetition per side (instruction_gate.h).
int gate_on_instructions(const GateOptions& o) {
  if (!o.junit.empty() || !o.summary.empty() || o.github || o.format != "text") {
    throw UsageError("--metric instructions prints its verdict table only (no --junit, --summary, --github or --format json)");
  }
  const double threshold = o.threshold.empty() ? kDefaultInstructionThreshold : parse_threshold_percent(o.threshold);
  const std::vector<std::string> stages = parse_stage_list(o.stages.empty() ? kDefaultInstructionGateStages : o.stages);
  const std::string store = baseline_store_dir(o.store);
  const ResolvedResults baseline = resolve_results(o.baseline, store);
  const ResolvedResults candidate = resolve_results(o.candidate, store);
  const InstructionGateResult result =
      judge_instructions(baseline.doc, baseline.label, candidate.doc, candidate.label, stages, threshold);
  for (const std::string& w : result.warnings) fmt::print(stderr, "fasterbench gate: warning: {}\n", w);
  fmt::print("{}", render_instruction_gate_text(result));
  return exit_status(result.overall);
}

}  // namespace

int cmd_gate(const GateOptions& o) {
  if (o.metric == "instructions") return gate_on_instructions(o);
  GateSettings settings;
  settings.threshold = parse_threshold_percent(o.threshold.empty() ? "5%" : o.threshold);
  settings.alpha = o.alpha;
  settings.min_effect_ns = parse_min_effect_ns(o.min_effect);
  CompareSettings compare;
  compare.metric = o.metric == "p99" ? Metric::p99 : Metric::p50;
  compare.stages = parse_stage_list(o.stages.empty() ? kDefaultGateStages : o.stages);
  require_output_directory("--junit", o.junit);
  require_output_directory("--summary", o.summary);

  const std::string store = baseline_store_dir(o.store);
  const ResolvedResults baseline = resolve_results(o.baseline, store);
  const ResolvedResults candidate = resolve_results(o.candidate, store);
  const Comparison comparison = compare_results(baseline.doc, source_info(baseline.doc, baseline.label), candidate.doc,
                                                source_info(candidate.doc, candidate.label), compare);
  const GateResult result = judge(comparison, settings);

  std::vector<std::string> warnings = comparison_warnings(comparison);
  warnings.insert(warnings.end(), result.warnings.begin(), result.warnings.end());
  for (const std::string& w : warnings) fmt::print(stderr, "fasterbench gate: warning: {}\n", w);
  if (o.format == "json") {
    fmt::print("{}\n", gate_to_json(comparison, result, warnings).dump(2));
  } else {
    fmt::print("{}", render_gate_text(comparison, result));
  }
  if (o.github) fmt::print("{}", render_github_annotations(comparison, result));
  std::fflush(stdout);
  if (!o.junit.empty()) write_output("--junit", o.junit, render_junit(comparison, result));
  if (!o.summary.empty()) write_output("--summary", o.summary, render_gate_markdown(comparison, result));
  return exit_status(result.overall);
}

}  // namespace fb::harness
