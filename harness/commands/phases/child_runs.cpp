#include "harness/commands/phases/child_runs.h"

#include <fmt/format.h>

#include <fstream>

#include "harness/cli/exit_codes.h"
#include "harness/host/subprocess.h"

namespace fb::harness {

std::vector<std::string> child_arguments(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                                         const std::filesystem::path& out) {
  std::vector<std::string> argv = {request.self, "run"};
  for (std::string& arg : forwarded_arguments(*request.phases_command)) argv.push_back(std::move(arg));
  argv.insert(argv.end(), {"--repetitions", "1", "--seed", std::to_string(request.seed + static_cast<std::uint64_t>(rep)),
                           "--no-progress", "--out", out.string()});
  std::string opts;
  for (const std::string& name : config.opts.names()) opts += (opts.empty() ? "" : ",") + name;
  if (!opts.empty()) argv.insert(argv.end(), {"--opt", opts});
  if (config.stamps_ends) argv.insert(argv.end(), {"--stamps", "ends"});
  if (config.opts.lockfree && !request.wait.empty()) argv.insert(argv.end(), {"--wait", request.wait});
  return argv;
}

nlohmann::json run_child(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                         const std::filesystem::path& out, const std::filesystem::path& log) {
  const std::vector<std::string> argv = child_arguments(request, config, rep, out);
  ProcessOptions options;
  options.output_file = log.string();
  if (request.hygiene.fixed_env) {
    options.environment = fixed_environment(argv, {{"PYTHONHASHSEED", hash_seed_text(request.hygiene.hash_seed)}});
  }
  std::string error;
  const int rc = run_process(argv, options, &error);
  if (rc == kExitUsage) {
    throw UsageError(fmt::format("{} repetition {}: {}", config.label, rep + 1, tail_of_file(log.string(), 15)));
  }
  if (rc != 0) {
    throw std::runtime_error(fmt::format("{} repetition {} failed (exit {}){}:\n{}", config.label, rep + 1, rc,
                                         error.empty() ? "" : ": " + error, tail_of_file(log.string(), 15)));
  }
  return nlohmann::json::parse(std::ifstream(out));
}

}  // namespace fb::harness
