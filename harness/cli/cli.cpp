#include "harness/cli/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <vector>

#include "framework/python/embedded_python.h"
#include "harness/cli/exit_codes.h"
#include "harness/commands/baseline.h"
#include "harness/commands/compare.h"
#include "harness/commands/gate.h"
#include "harness/commands/phases/phases.h"
#include "harness/commands/report.h"
#include "harness/commands/run.h"
#include "harness/commands/serve.h"
#include "harness/commands/sweep.h"
#include "harness/commands/system.h"
#include "harness/commands/versus.h"
#include "harness/hygiene/process_hygiene.h"
#include "harness/results/atomic_file.h"

namespace fb::harness {
namespace {

struct BoundOption {
  Option* option;
  CLI::Option* parsed;
};
struct BoundCommand {
  Command* command;
  CLI::App* parsed;
};

CLI::Option* add_to(CLI::App& app, Option& o) {
  CLI::Option* added = std::visit(
      [&](auto* target) -> CLI::Option* {
        if constexpr (std::is_same_v<decltype(target), bool*>) {
          return app.add_flag(o.name, *target, o.help);
        } else {
          return app.add_option(o.name, *target, o.help);
        }
      },
      o.target);
  if (!o.type_name.empty()) added->type_name(o.type_name);
  if (!o.choices.empty()) added->check(CLI::IsMember(o.choices));
  if (o.range) added->check(CLI::Range(o.range->first, o.range->second));
  if (o.required) added->required();
  return added;
}

void build(CLI::App& app, Command& command, std::vector<BoundOption>& options, std::vector<BoundCommand>& commands) {
  if (command.requires_subcommand) app.require_subcommand(1);
  commands.push_back({&command, &app});
  for (Option& o : command.options) options.push_back({&o, add_to(app, o)});
  for (Option& o : command.options) {
    for (const std::string& other : o.excludes) app.get_option(o.name)->excludes(app.get_option(other));
  }
  for (Command& sub : command.subcommands) build(*app.add_subcommand(sub.name, sub.description), sub, options, commands);
}

// The root command: every command of the tool, each described where it is implemented.
struct Commands {
  Command root;
  RunOptions run;
  PhasesOptions phases;
  ReportOptions report;
  CompareOptions compare;
  GateOptions gate;
  BaselineOptions baseline;
  SystemOptions system;
  ServeOptions serve;
  VersusOptions versus;
  SweepOptions sweep;

  Commands() {
    root.name = "fasterbench";
    root.description = "fasterbench: where each microsecond of a Python-calling request goes, measured";
    root.requires_subcommand = true;
    describe_run_command(root, run);
    describe_phases_command(root, phases);
    describe_report_command(root, report);
    describe_compare_command(root, compare);
    describe_gate_command(root, gate);
    describe_baseline_command(root, baseline);
    describe_system_command(root, system);
    describe_serve_command(root, serve);
    describe_versus_command(root, versus);
    describe_sweep_command(root, sweep);
  }

  int dispatch() {
    auto chosen = [&](const char* name) { return root.subcommand(name)->chosen; };
    if (chosen("run")) return cmd_run(run);
    if (chosen("phases")) return cmd_phases(phases, *root.subcommand("phases"));
    if (chosen("report")) return cmd_report(report);
    if (chosen("compare")) return cmd_compare(compare);
    if (chosen("gate")) return cmd_gate(gate);
    if (chosen("baseline")) return cmd_baseline(baseline);
    if (chosen("system")) return cmd_system(system);
    if (chosen("serve")) return cmd_serve(serve);
    if (chosen("versus")) return cmd_versus(versus);
    if (chosen("sweep")) return cmd_sweep(sweep, *root.subcommand("sweep"));
    return kExitUsage;  // require_subcommand makes this unreachable
  }
};

}  // namespace

std::optional<int> parse_command_line(Command& root, int argc, const char* const* argv) {
  CLI::App app{root.description, root.name};
  app.set_version_flag("--version", FASTERBENCH_VERSION);
  std::vector<BoundOption> options;
  std::vector<BoundCommand> commands;
  build(app, root, options, commands);
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
  for (BoundOption& b : options) b.option->given = b.parsed->count() > 0;
  for (BoundCommand& b : commands) b.command->chosen = b.parsed->parsed();
  for (BoundCommand& b : commands) {
    if (b.command->selected == nullptr) continue;
    for (const Command& sub : b.command->subcommands) {
      if (sub.chosen) *b.command->selected = sub.name;
    }
  }
  return std::nullopt;
}

int run_cli(int argc, char** argv) {
  remember_command_line(argc, argv);  // what --aslr off / --env fixed re-execute
  Commands commands;
  if (std::optional<int> status = parse_command_line(commands.root, argc, argv)) return *status;
  int status = kExitOk;
  try {
    status = commands.dispatch();
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
