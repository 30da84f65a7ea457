// `phases --resume DIR`: finishing a `phases` run that was interrupted (Ctrl-C, SIGTERM).
//
// An interrupted run leaves DIR/results.json with every completed measurement, "complete": false
// and a "resume" block: the arguments it was started with, the directory it ran in, and the
// folder (inside DIR) holding each finished child's own results file. `--resume DIR` given alone
// re-executes phases with those arguments plus `--resume DIR`; that process plans the same
// measurements, takes the finished ones from the folder (and the crashed ones from the results),
// measures only the rest, and writes the complete results and the report.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/cli/command_line.h"
#include "harness/commands/phases/child_runs.h"

namespace fb::harness {

// The arguments of this `phases` invocation after the command name, without --resume and its
// value (empty when main did not remember the command line).
std::vector<std::string> phases_arguments();

// results.json's "resume" block of an interrupted run.
nlohmann::json resume_block(const std::vector<std::string>& arguments, const std::filesystem::path& runs_dir,
                            std::size_t planned);

// With --resume DIR and no other option: re-executes this program as the interrupted run was
// started (in its directory, with its arguments) plus --resume DIR. Does not return; throws
// UsageError when DIR does not hold an interrupted run.
[[noreturn]] void reexecute_to_resume(const std::string& dir);

// True when `command` (the parsed phases command) has no option given but --resume.
bool only_resume_given(const Command& command);

struct ResumeState {
  std::filesystem::path runs_dir;  // the interrupted run's per-child results
  // Repetitions that crashed in the interrupted run, by (configuration, repetition): not re-run.
  std::map<std::pair<std::string, int>, ChildResult> crashed;
};

// Reads DIR/results.json of an interrupted run and checks that it is one, that this invocation
// has its arguments, and that it planned as many measurements. Throws UsageError naming the
// problem.
ResumeState load_resume_state(const std::filesystem::path& dir, const std::vector<std::string>& arguments,
                              std::size_t planned);

}  // namespace fb::harness
