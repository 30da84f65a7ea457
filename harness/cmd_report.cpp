#include "harness/cmd_report.h"

#include <fmt/format.h>

#include <filesystem>

#include "harness/exit_codes.h"
#include "harness/report_launcher.h"

namespace fb::harness {

CLI::App* add_report_command(CLI::App& app, ReportOptions& o) {
  CLI::App* cmd = app.add_subcommand("report", "Write report.md, report.html and PNG charts from a results JSON");
  cmd->add_option("results", o.results, "Results JSON written by `fasterbench run` or `fasterbench phases`")->required();
  cmd->add_option("--out", o.out, "Output directory (default: the results file's directory)");
  cmd->add_option("--report-python", o.report_python, "Python with matplotlib (default: found automatically)");
  return cmd;
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
