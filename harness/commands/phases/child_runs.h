// One measurement of `phases`: a child `fasterbench run` in a fresh process, with exactly the
// measurement options `phases` was given (harness/cli/command_line.h forwarded_arguments) and
// the settings of its configuration and repetition.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
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
};

// The child's argument vector for repetition `rep` of `config`, writing its results to `out`.
std::vector<std::string> child_arguments(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                                         const std::filesystem::path& out);

// Runs the child with its output in `log`; returns its results document. Throws UsageError when
// the child exits 2 (bad input: the log's last lines say why) and std::runtime_error when it fails
// otherwise.
nlohmann::json run_child(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                         const std::filesystem::path& out, const std::filesystem::path& log);

}  // namespace fb::harness
