// One measurement of `phases`: a child `fasterbench run` in a fresh process, with exactly the
// measurement options `phases` was given (harness/cli/command_line.h forwarded_arguments) and
// the settings of its configuration and repetition. A child that crashes, hangs past the timeout
// or fails is a result too (the row says how), so one bad configuration does not lose the rest.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/cli/command_line.h"
#include "harness/commands/phases/plan.h"
#include "harness/hygiene/process_hygiene.h"

namespace fb::harness {

struct ChildRunRequest {
  const Command* phases_command = nullptr;  // parsed: its forwarded options go to the child
  std::string self;                         // this executable
  std::string wait;                         // --wait, handed to configurations with lockfree only
  std::uint64_t seed = 1;                   // repetition r runs with seed + r
  HygieneRequest hygiene;                   // the child's environment (fixed or inherited)
  std::optional<std::chrono::seconds> timeout;  // a child running longer is stopped (none: no limit)
  int cancel_fd = -1;                       // readable: stop the child now (InterruptScope::fd)
  std::vector<std::string> extra;           // appended last (sweep: "--rate", "R" of its step)
};

// Lines of a crashed child's output kept in its row (runs[].crash_log).
inline constexpr int kCrashLogLines = 20;

// What became of one planned measurement.
struct ChildResult {
  enum class Status {
    not_run,   // not measured (yet): phases was interrupted before or during it
    measured,  // `document` is the child's results document
    crashed,   // `crashed` says how (a signal, an exit status, a timeout), `log_tail` what it printed last
  };
  Status status = Status::not_run;
  nlohmann::json document;
  std::string crashed;
  std::string log_tail;
};

// The child's argument vector for repetition `rep` of `config`, writing its results to `out`.
std::vector<std::string> child_arguments(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                                         const std::filesystem::path& out);

// Runs the child with its output in `log`. Throws UsageError when it exits 2 (bad input, the same
// for every configuration: the log's last lines say why). A child stopped through
// request.cancel_fd gives not_run.
ChildResult run_child(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                      const std::filesystem::path& out, const std::filesystem::path& log);

// A results file a child wrote earlier (`phases --resume`): measured when it exists and holds a
// results document, else not_run.
ChildResult read_child_result(const std::filesystem::path& out);

}  // namespace fb::harness
