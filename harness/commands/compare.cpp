#include "harness/commands/compare.h"

#include <fmt/format.h>

#include "harness/baselines/baseline_store.h"
#include "harness/compare/comparison.h"
#include "harness/compare/comparison_report.h"
#include "harness/compare/verdict.h"
#include "harness/cli/exit_codes.h"
#include "harness/results/atomic_file.h"

namespace fb::harness {

void describe_compare_command(Command& root, CompareOptions& o) {
  Command& cmd = root.add_subcommand(
      "compare", "Compare two results files per configuration and stage: medians, ratio with 95 % CI, Mann-Whitney p");
  cmd.add({.name = "baseline", .target = &o.baseline,
           .help = "Baseline: a results JSON (path with '/' or ending in .json) or a stored baseline name", .required = true});
  cmd.add({.name = "candidate", .target = &o.candidate, .help = "Candidate: a results JSON or a stored baseline name",
           .required = true});
  cmd.add({.name = "--format", .target = &o.format, .help = "Output format: text (terminal table, default), md (Markdown) or json",
           .choices = {"text", "md", "json"}});
  cmd.add({.name = "--metric", .target = &o.metric, .help = "Per-run value compared: p50 (default) or p99 of each stage, in ns",
           .choices = {"p50", "p99"}});
  cmd.add({.name = "--stages", .target = &o.stages,
           .help = "Comma-separated stages (default: all: route,dispatch,gil,marshal,handler,future,other,total)"});
  cmd.add({.name = "--alpha", .target = &o.alpha, .help = "Mark p-values below this with '*' (default 0.01)",
           .range = std::pair{1e-9, 0.5}});
  cmd.add({.name = "--store", .target = &o.store,
           .help = "Baseline store directory (default: $FASTERBENCH_BASELINES or .fasterbench/baselines)"});
  cmd.add({.name = "--out", .target = &o.out, .help = "Write the output to this file (atomically) instead of stdout"});
}

int cmd_compare(const CompareOptions& o) {
  CompareSettings settings;
  settings.metric = o.metric == "p99" ? Metric::p99 : Metric::p50;
  settings.stages = parse_stage_list(o.stages);
  const std::string store = baseline_store_dir(o.store);
  const ResolvedResults baseline = resolve_results(o.baseline, store);
  const ResolvedResults candidate = resolve_results(o.candidate, store);
  const Comparison comparison = compare_results(baseline.doc, source_info(baseline.doc, baseline.label), candidate.doc,
                                                source_info(candidate.doc, candidate.label), settings);
  std::string text;
  if (o.format == "json") {
    text = comparison_to_json(comparison, o.alpha).dump(2) + "\n";
  } else if (o.format == "md") {
    text = render_comparison_markdown(comparison, o.alpha);
  } else {
    text = render_comparison_text(comparison, o.alpha);
  }
  if (o.out.empty()) {
    fmt::print("{}", text);
  } else {
    write_file_atomically(o.out, text);
    fmt::print(stderr, "compare: wrote {}\n", o.out);
  }
  return kExitOk;
}

}  // namespace fb::harness
