#include "harness/commands/report.h"

#include <fmt/format.h>

#include <filesystem>

#include "harness/cli/exit_codes.h"
#include "harness/host/report_launcher.h"

namespace fb::harness {

void describe_report_command(Command& root, ReportOptions& o) {
  Command& cmd = root.add_subcommand("report", "Write report.md, report.html and PNG charts from a results JSON");
  cmd.add({.name = "results", .target = &o.results, .help = "Results JSON written by `fasterbench run` or `fasterbench phases`",
           .required = true});
  cmd.add({.name = "--out", .target = &o.out, .help = "Output directory (default: the results file's directory)"});
  cmd.add({.name = "--report-python", .target = &o.report_python, .help = "Python with matplotlib (default: found automatically)"});
}

int cmd_report(const ReportOptions& o) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(o.results)) throw UsageError(o.results + ": no such results file");
  std::string out = o.out;
  if (out.empty()) out = fs::path(o.results).has_parent_path() ? fs::path(o.results).parent_path().string() : ".";
  const int rc = launch_report(find_report_python(o.report_python), o.results, out);
  if (rc == 0) fmt::print("report: {}\n", (fs::path(out) / "report.html").string());
  return rc == 0 ? kExitOk : rc == kExitUsage ? kExitUsage : kExitFailure;
}

}  // namespace fb::harness
