// `fasterbench report RESULTS.json --out DIR`: (re)generates the report of a results file.
#pragma once

#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct ReportOptions {
  std::string results;
  std::string out;
  std::string report_python;
};

void describe_report_command(Command& root, ReportOptions& options);
int cmd_report(const ReportOptions& options);

}  // namespace fb::harness
