#include "harness/compare/gate_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/compare/change_format.h"
#include "harness/compare/comparison_report.h"
#include "harness/text/join.h"
#include "harness/text/units.h"

namespace fb::harness {
namespace {

struct GateRow {
  std::string config, stage;
  StageCells cells;
  std::string limit, verdict;
};

GateRow row_of(const StageVerdict& v) {
  const StageComparison& s = *v.data;
  return {v.config, s.stage, stage_cells(s), s.exercised ? fmt::format("+{:.1f} %", v.limit * 100) : "-",
          verdict_name(v.verdict)};
}

std::string settings_line(const Comparison& c, const GateResult& g) {
  return fmt::format(
      "metric {} · threshold {:.1f} % (at least {:g} ns) · alpha {} · Mann-Whitney needs >= {} repetitions per side at "
      "this alpha",
      metric_name(c.metric), g.settings.threshold * 100, g.settings.min_effect_ns, g.settings.alpha, g.min_repetitions);
}

// "P0 dispatch, P0 total" for the stages with this verdict.
std::vector<std::string> named(const GateResult& g, Verdict v) {
  std::vector<std::string> out;
  for (const StageVerdict& s : g.stages) {
    if (s.verdict == v) out.push_back(s.config + " " + s.data->stage);
  }
  return out;
}

std::string counts_line(const GateResult& g) {
  auto count = [&](Verdict v) { return named(g, v).size(); };
  return fmt::format("{} regression(s), {} inconclusive, {} improvement(s), {} pass, of {} check(s)", count(Verdict::regression),
                     count(Verdict::inconclusive), count(Verdict::improvement), count(Verdict::pass), g.stages.size());
}

std::string overall_line(const GateResult& g) {
  std::string which;
  if (g.overall == Verdict::regression) which = ": " + join(named(g, Verdict::regression));
  if (g.overall == Verdict::inconclusive) which = ": " + join(named(g, Verdict::inconclusive));
  if (g.overall == Verdict::improvement) which = ": " + join(named(g, Verdict::improvement));
  return fmt::format("{}{} · {}", verdict_name(g.overall), which, counts_line(g));
}

std::vector<std::string> all_warnings(const Comparison& c, const GateResult& g) {
  std::vector<std::string> out = comparison_warnings(c);
  out.insert(out.end(), g.warnings.begin(), g.warnings.end());
  return out;
}

std::string title_of(const StageVerdict& v) {
  return fmt::format("fasterbench gate: {} {} {}", v.config, v.data->stage, verdict_name(v.verdict));
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string github_escape_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += c;
    }
  }
  return out;
}

std::string github_escape_property(const std::string& text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_gate_text(const Comparison& c, const GateResult& g) {
  std::string out = fmt::format("gate: candidate {}\n      vs baseline {}\n      {}\n", c.candidate.label, c.baseline.label,
                                settings_line(c, g));
  std::vector<GateRow> rows;
  for (const StageVerdict& v : g.stages) rows.push_back(row_of(v));
  std::size_t w = 6;
  for (const GateRow& r : rows) w = std::max(w, r.config.size());
  out += fmt::format("\n{:<{}}  {:<9}{:>7}{:>12}{:>12}{:>10}  {:<20}{:>9}{:>10}  {}\n", "config", w, "stage", "n", "baseline",
                     "candidate", "change", "95% CI of change", "p", "limit", "verdict");
  for (const GateRow& r : rows) {
    out += fmt::format("{:<{}}  {:<9}{:>7}{:>12}{:>12}{:>10}  {:<20}{:>9}{:>10}  {}\n", r.config, w, r.stage, r.cells.n,
                       r.cells.baseline, r.cells.candidate, r.cells.change, r.cells.interval, r.cells.p, r.limit, r.verdict);
  }
  out += "(limit: the slowdown that counts for the stage: the threshold, or the minimum effect if larger)\n";
  bool any = false;
  for (const StageVerdict& v : g.stages) {
    if (v.verdict == Verdict::pass) continue;
    if (!any) out += "\n";
    any = true;
    out += fmt::format("{} {} {}: {}\n", v.config, v.data->stage, verdict_name(v.verdict), v.reason);
  }
  out += "\ngate: " + overall_line(g) + "\n";
  return out;
}

std::string render_gate_markdown(const Comparison& c, const GateResult& g) {
  std::string out = fmt::format("## fasterbench gate: {}\n\n", verdict_name(g.overall));
  out += fmt::format("- candidate: {}\n- baseline: {}\n- {}\n- {}\n\n", c.candidate.label, c.baseline.label, settings_line(c, g),
                     counts_line(g));
  out += "| config | stage | n (b/c) | baseline | candidate | change | 95% CI of change | p | limit | verdict |\n";
  out += "|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const StageVerdict& v : g.stages) {
    const GateRow r = row_of(v);
    const std::string verdict = v.verdict == Verdict::regression || v.verdict == Verdict::inconclusive
                                    ? "**" + r.verdict + "**"
                                    : r.verdict;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.config, r.stage, r.cells.n,
                       r.cells.baseline, r.cells.candidate, r.cells.change, r.cells.interval, r.cells.p, r.limit, verdict);
  }
  bool any = false;
  for (const StageVerdict& v : g.stages) {
    if (v.verdict == Verdict::pass) continue;
    if (!any) out += "\n";
    any = true;
    out += fmt::format("- **{} {} {}**: {}\n", v.config, v.data->stage, verdict_name(v.verdict), v.reason);
  }
  const auto warnings = all_warnings(c, g);
  if (!warnings.empty()) {
    out += "\n**Warnings**\n\n";
    for (const std::string& w : warnings) out += "- " + w + "\n";
  }
  return out;
}

std::string render_github_annotations(const Comparison& c, const GateResult& g) {
  std::string out;
  for (const StageVerdict& v : g.stages) {
    if (v.verdict != Verdict::regression && v.verdict != Verdict::inconclusive) continue;
    out += fmt::format("::{} title={}::{} {} {}: {}\n", v.verdict == Verdict::regression ? "error" : "warning",
                       github_escape_property(title_of(v)), v.config, v.data->stage, metric_name(c.metric),
                       github_escape_data(v.reason));
  }
  for (const std::string& w : all_warnings(c, g)) {
    out += fmt::format("::warning title={}::{}\n", github_escape_property("fasterbench gate: warning"),
                       github_escape_data(w));
  }
  return out;
}

std::string render_junit(const Comparison& c, const GateResult& g) {
  auto count = [&](Verdict v) {
    return std::count_if(g.stages.begin(), g.stages.end(), [v](const StageVerdict& s) { return s.verdict == v; });
  };
  auto number = [](double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string(v > 0 ? "inf" : "-inf"); };
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"fasterbench\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\">\n",
                     g.stages.size(), count(Verdict::regression), count(Verdict::inconclusive));
  out += fmt::format("  <testsuite name=\"fasterbench gate\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" errors=\"0\" time=\"0\">\n",
                     g.stages.size(), count(Verdict::regression), count(Verdict::inconclusive));
  out += "    <properties>\n";
  auto property = [&](const std::string& indent, const std::string& name, const std::string& value) {
    out += fmt::format("{}<property name=\"{}\" value=\"{}\"/>\n", indent, xml_escape(name), xml_escape(value));
  };
  property("      ", "baseline", c.baseline.label);
  property("      ", "candidate", c.candidate.label);
  property("      ", "metric", metric_name(c.metric));
  property("      ", "threshold", fmt::format("{}", g.settings.threshold));
  property("      ", "alpha", fmt::format("{}", g.settings.alpha));
  property("      ", "min_effect_ns", fmt::format("{}", g.settings.min_effect_ns));
  property("      ", "verdict", verdict_name(g.overall));
  out += "    </properties>\n";
  for (const StageVerdict& v : g.stages) {
    const StageComparison& s = *v.data;
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n", xml_escape("fasterbench.gate." + v.config),
                       xml_escape(s.stage + " " + metric_name(c.metric)));
    out += "      <properties>\n";
    property("        ", "verdict", verdict_name(v.verdict));
    if (s.exercised) {
      property("        ", "baseline_median_ns", number(s.baseline.median));
      property("        ", "candidate_median_ns", number(s.candidate.median));
      property("        ", "ratio", number(s.ratio.ratio));
      property("        ", "ratio_ci_low", number(s.ratio.ci_low));
      property("        ", "ratio_ci_high", number(s.ratio.ci_high));
      property("        ", "p_value", number(s.test.p_value));
      property("        ", "repetitions", fmt::format("{}/{}", s.baseline.values.size(), s.candidate.values.size()));
      property("        ", "limit", number(v.limit));
    }
    if (v.verdict == Verdict::inconclusive) property("        ", "repetitions_needed", std::to_string(v.repetitions_needed));
    out += "      </properties>\n";
    if (v.verdict == Verdict::regression) {
      out += fmt::format("      <failure type=\"REGRESSION\" message=\"{}\">{}</failure>\n", xml_escape(title_of(v)),
                         xml_escape(v.reason));
    } else if (v.verdict == Verdict::inconclusive) {
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape("INCONCLUSIVE: " + v.reason));
    } else {
      out += fmt::format("      <system-out>{}: {}</system-out>\n", verdict_name(v.verdict), xml_escape(v.reason));
    }
    out += "    </testcase>\n";
  }
  const auto warnings = all_warnings(c, g);
  if (!warnings.empty()) {
    std::string text;
    for (const std::string& w : warnings) text += "warning: " + w + "\n";
    out += fmt::format("    <system-err>{}</system-err>\n", xml_escape(text));
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace fb::harness
