#include "harness/commands/system.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "harness/cli/exit_codes.h"
#include "harness/system/system_checks.h"
#include "harness/system/tune_state.h"
#include "harness/system/tuning.h"

namespace fb::harness {

using system::Finding;
using system::Status;
using system::SystemRoot;

void describe_system_command(Command& root, SystemOptions& o) {
  Command& cmd = root.add_subcommand(
      "system", "What makes numbers noisy on this machine (CPU frequency, ASLR, huge pages, isolation, load, steal, "
                "...), and the settings that fix it");
  cmd.requires_subcommand = true;
  cmd.selected = &o.action;
  const Option root_option{.name = "--root", .target = &o.root,
                           .help = "TESTING AID: read (and for tune/reset, write) the /proc and /sys files under DIR "
                                   "instead of /, e.g. a fake tree of plain files (default /)",
                           .type_name = "DIR"};
  const Option sample{.name = "--sample-ms", .target = &o.sample_ms,
                      .help = "Milliseconds to watch /proc/stat, sleeping, for steal time and other programs' CPU use "
                              "(default 1000; 0 = do not measure)",
                      .range = std::pair{0.0, 60000.0}};
  const Option state{.name = "--state", .target = &o.state,
                     .help = "State file of the values tune replaced (default " + system::default_state_path() + ")",
                     .type_name = "FILE"};

  Command& show = cmd.add_subcommand("show", "Print every setting that can add noise, its value here, and whether it is a problem");
  show.add({.name = "--json", .target = &o.json, .help = "Print one JSON document instead of the table"});
  show.add(sample);
  show.add(root_option);

  Command& check = cmd.add_subcommand("check", "Print one line per problem with its fix (and advice); exit 1 when there is a "
                                               "problem, 0 when there is none");
  check.add({.name = "--json", .target = &o.json, .help = "Print one JSON document instead of lines"});
  check.add(sample);
  check.add(root_option);

  Command& tune = cmd.add_subcommand("tune", "Fix the problems that can be undone (frequency governor and boost, ASLR, "
                                             "transparent huge pages), saving the previous values for reset");
  tune.add({.name = "--dry-run", .target = &o.dry_run, .help = "Say what would change; change nothing and write no state file"});
  tune.add(state);
  tune.add(root_option);

  Command& reset = cmd.add_subcommand("reset", "Write back the values the last tune replaced, and remove its state file");
  reset.add(state);
  reset.add(root_option);
}

namespace {

std::string plural(std::size_t n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::size_t count(const std::vector<Finding>& findings, Status status) {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.status == status; }));
}

std::size_t tunable(const std::vector<Finding>& findings) {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) {
    return f.status == Status::problem && !f.changes.empty();
  }));
}

nlohmann::json to_json(const SystemRoot& root, const system::CpuSample& sample, const std::vector<Finding>& findings) {
  nlohmann::json settings = nlohmann::json::array();
  for (const Finding& f : findings) {
    nlohmann::json changes = nlohmann::json::array();
    for (const system::Change& c : f.changes) changes.push_back({{"path", root.path(c.path)}, {"from", c.previous}, {"to", c.wanted}});
    settings.push_back({{"name", f.name}, {"label", f.label}, {"status", system::status_name(f.status)}, {"value", f.value},
                        {"why", f.why}, {"fix", f.fix}, {"tune", changes}});
  }
  return {{"schema_version", 1},
          {"root", root.root()},
          {"sample_seconds", sample.seconds},
          {"problems", count(findings, Status::problem)},
          {"advice", count(findings, Status::advice)},
          {"settings", settings}};
}

// Blank for info, not exposed and unreadable: the value says those in words.
std::string_view state_column(Status status) {
  switch (status) {
    case Status::ok:
    case Status::problem:
    case Status::advice: return system::status_name(status);
    default: return "";
  }
}

std::string header(const SystemRoot& root, const system::CpuSample& sample) {
  std::string h = "fasterbench system";
  if (root.root() != "/") h += " (root " + root.root() + ")";
  if (sample.seconds > 0) h += fmt::format(": busy and steal sampled over {:.1f} s", sample.seconds);
  return h;
}

int print_show(const SystemRoot& root, const system::CpuSample& sample, const std::vector<Finding>& findings) {
  std::size_t width = 0;
  for (const Finding& f : findings) width = std::max(width, f.label.size());
  fmt::print("{}\n{:<{}}  {:<7}  {}\n", header(root, sample), "setting", width, "state", "value");
  for (const Finding& f : findings) fmt::print("{:<{}}  {:<7}  {}\n", f.label, width, state_column(f.status), f.value);
  const std::size_t problems = count(findings, Status::problem), advice = count(findings, Status::advice);
  if (problems == 0 && advice == 0) {
    fmt::print("no problems\n");
  } else {
    const std::size_t fixable = tunable(findings);
    fmt::print("{}{}: `fasterbench system check` gives the fixes{}\n", plural(problems, "problem"),
               advice == 0 ? "" : fmt::format(", {} advice", advice),
               problems == 0 ? "" : fixable == 0 ? "; `fasterbench system tune` can fix none of them"
                                                : fmt::format("; `fasterbench system tune` can fix {}", fixable));
  }
  return kExitOk;
}

int print_check(const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    if (f.status != Status::problem && f.status != Status::advice) continue;
    fmt::print("{}: {} = {}; {} -> fix: {}\n", system::status_name(f.status), f.label, f.value, f.why, f.fix);
  }
  const std::size_t problems = count(findings, Status::problem);
  const std::size_t not_exposed = count(findings, Status::not_exposed) + count(findings, Status::unreadable);
  if (problems == 0) {
    fmt::print("no problems ({} checked, {} not exposed or not readable here)\n", plural(findings.size(), "setting"), not_exposed);
    return kExitOk;
  }
  fmt::print("{} ({} fixable by `fasterbench system tune`)\n", plural(problems, "problem"), tunable(findings));
  return kExitFailure;
}

bool needs_privileges(const std::string& error) {
  return error == std::strerror(EACCES) || error == std::strerror(EPERM) || error == std::strerror(EROFS);
}

std::string describe(const SystemRoot& root, const system::Write& w) {
  return fmt::format("{}: {} {} -> {}", system::check_label(w.check), root.path(w.change.path), w.change.previous,
                     w.change.wanted);
}

int run_tune(const SystemOptions& o, const SystemRoot& root, const std::string& state_path) {
  // Nothing tune changes depends on load, busy or steal: no sample (and no second of waiting).
  const std::vector<Finding> findings = system::inspect(root, system::sample_cpu_times(root, std::chrono::milliseconds(0)));
  const system::TuneOutcome out = system::tune(root, findings, state_path, o.dry_run);
  if (!out.replaced_stale.empty())
    fmt::print("{} was saved before the last reboot ({}): its values are gone from the kernel, {}\n", state_path,
               out.replaced_stale, o.dry_run ? "tune would replace it" : "replaced");
  if (out.writes.empty()) fmt::print("nothing to change: no problem here that tune can fix\n");
  bool privileges = false;
  for (const system::Write& w : out.writes) {
    if (o.dry_run) {
      fmt::print("would change {}\n", describe(root, w));
    } else if (w.error.empty()) {
      fmt::print("changed {}\n", describe(root, w));
    } else {
      fmt::print("could not change {}: {}\n", describe(root, w), w.error);
      privileges = privileges || needs_privileges(w.error);
    }
  }
  for (const Finding& f : out.left) fmt::print("left to you: {} = {} -> fix: {}\n", f.label, f.value, f.fix);
  if (privileges) fmt::print("tune needs root (or write access to these files) for what it could not change\n");
  if (out.state_saved)
    fmt::print("previous values saved in {}: `fasterbench system reset` writes them back\n", state_path);
  return out.failed() ? kExitFailure : kExitOk;
}

int run_reset(const SystemRoot& root, const std::string& state_path) {
  const system::ResetOutcome out = system::reset(root, state_path);
  if (!out.had_state) {
    fmt::print("nothing to reset: no state file {} (tune changed nothing, or reset already ran)\n", state_path);
    return kExitOk;
  }
  if (out.stale) {
    fmt::print("the machine has rebooted since tune: its settings are back at their boot values; nothing written, "
               "{} removed\n", state_path);
    return kExitOk;
  }
  for (const system::Write& w : out.writes) {
    if (w.error.empty()) fmt::print("restored {}{}\n", describe(root, w), w.note.empty() ? "" : " (" + w.note + ")");
    else fmt::print("could not restore {}: {} (kept in {})\n", describe(root, w), w.error, state_path);
  }
  if (out.state_removed) fmt::print("{} removed\n", state_path);
  return out.failed() ? kExitFailure : kExitOk;
}

}  // namespace

int cmd_system(const SystemOptions& o) {
  const SystemRoot root(o.root);
  std::error_code ec;
  if (!std::filesystem::is_directory(o.root, ec)) throw UsageError("--root " + o.root + ": no such directory");
  const std::string state_path = o.state.empty() ? system::default_state_path() : o.state;
  if (o.action == "tune") return run_tune(o, root, state_path);
  if (o.action == "reset") return run_reset(root, state_path);

  const system::CpuSample sample = system::sample_cpu_times(root, std::chrono::milliseconds(o.sample_ms));
  const std::vector<Finding> findings = system::inspect(root, sample);
  if (o.json) {
    fmt::print("{}\n", to_json(root, sample, findings).dump(2));
    return o.action == "check" && count(findings, Status::problem) > 0 ? kExitFailure : kExitOk;
  }
  return o.action == "show" ? print_show(root, sample, findings) : print_check(findings);
}

}  // namespace fb::harness
