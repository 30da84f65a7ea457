// Renderings of a gate decision (verdict.h) for `fasterbench gate`: terminal table, Markdown
// summary, GitHub workflow annotations and JUnit XML. They only format what the GateResult
// and its Comparison hold.
#pragma once

#include <string>

#include "harness/compare/comparison.h"
#include "harness/compare/verdict.h"

namespace fb::harness {

// Table (one row per configuration and stage, with its verdict), the reasons of every
// non-PASS verdict, and a last line "gate: <OVERALL> ...". Warnings are not included: the
// command prints them on stderr.
std::string render_gate_text(const Comparison& comparison, const GateResult& result);

// For --summary: a heading with the overall verdict, the settings, the table, the reasons of
// non-PASS verdicts and the warnings.
std::string render_gate_markdown(const Comparison& comparison, const GateResult& result);

// For --github: "::error title=...::message" per REGRESSION, "::warning title=...::message"
// per INCONCLUSIVE and per warning (context differences, unmatched configurations), escaped
// as the workflow-command syntax requires (% \r \n in messages; also : and , in properties).
std::string render_github_annotations(const Comparison& comparison, const GateResult& result);

// For --junit: one <testsuite name="fasterbench gate"> with one <testcase> per configuration
// and stage (classname "fasterbench.gate.<config>", name "<stage> <metric>"): a <failure> for
// REGRESSION, <skipped> for INCONCLUSIVE (with the reason and the repetitions needed), and
// <properties> with verdict, ratio, interval, p and medians on every testcase. Warnings go to
// the suite's <system-err>.
std::string render_junit(const Comparison& comparison, const GateResult& result);

// Escaping for XML attribute values and text (& < > " ').
std::string xml_escape(const std::string& text);
// Workflow-command escaping: data (the message) and properties (title=...).
std::string github_escape_data(const std::string& text);
std::string github_escape_property(const std::string& text);

}  // namespace fb::harness
