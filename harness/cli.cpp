#include "harness/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "framework/python/embedded_python.h"
#include "harness/cmd_baseline.h"
#include "harness/cmd_compare.h"
#include "harness/cmd_gate.h"
#include "harness/cmd_phases.h"
#include "harness/cmd_report.h"
#include "harness/cmd_run.h"
#include "harness/cmd_system.h"
#include "harness/cmd_serve.h"
#include "harness/cmd_versus.h"
#include "harness/exit_codes.h"
#include "harness/hygiene/process_hygiene.h"
#include "harness/results/atomic_file.h"

namespace fb::harness {

int run_cli(int argc, char** argv) {
  remember_command_line(argc, argv);  // what --aslr off / --env fixed re-execute
  CLI::App app{"fasterbench: where each microsecond of a Python-calling request goes, measured"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FASTERBENCH_VERSION);

  RunOptions run;
  CLI::App* run_cmd = add_run_command(app, run);
  PhasesOptions phases;
  CLI::App* phases_cmd = add_phases_command(app, phases);
  ReportOptions report;
  CLI::App* report_cmd = add_report_command(app, report);
  CompareOptions compare;
  CLI::App* compare_cmd = add_compare_command(app, compare);
  GateOptions gate;
  CLI::App* gate_cmd = add_gate_command(app, gate);
  BaselineOptions baseline;
  CLI::App* baseline_cmd = add_baseline_command(app, baseline);
  SystemOptions system_options;
  CLI::App* system_cmd = add_system_command(app, system_options);
  ServeOptions serve;
  CLI::App* serve_cmd = add_serve_command(app, serve);
  VersusOptions versus;
  CLI::App* versus_cmd = add_versus_command(app, versus);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "fasterbench: {}\nRun with --help for usage.\n", e.what());
    return kExitUsage;
  }

  int status = kExitOk;
  try {
    if (*run_cmd) status = cmd_run(run);
    if (*phases_cmd) status = cmd_phases(phases);
    if (*report_cmd) status = cmd_report(report);
    if (*compare_cmd) status = cmd_compare(compare);
    if (*gate_cmd) status = cmd_gate(gate);
    if (*baseline_cmd) status = cmd_baseline(baseline);
    if (*system_cmd) status = cmd_system(system_options);
    if (*serve_cmd) status = cmd_serve(serve);
    if (*versus_cmd) status = cmd_versus(versus);
  } catch (const UsageError& e) {
    fmt::print(stderr, "fasterbench: {}\n", e.what());
    status = kExitUsage;
  } catch (const OutputError& e) {
    fmt::print(stderr, "fasterbench: cannot write output: {}\n", e.what());
    status = kExitFailure;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fasterbench: {}\n", e.what());
    status = kExitFailure;
  }
  python::finalize_python();
  return status;
}

}  // namespace fb::harness
