// `fasterbench report RESULTS.json --out DIR`: (re)generates the report of a results file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fb::harness {

struct ReportOptions {
  std::string results;
  std::string out;
  std::string report_python;
};

CLI::App* add_report_command(CLI::App& app, ReportOptions& options);
int cmd_report(const ReportOptions& options);

}  // namespace fb::harness
