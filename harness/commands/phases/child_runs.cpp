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
  argv.insert(argv.end(), request.extra.begin(), request.extra.end());
  return argv;
}

namespace {

// The child's results document, or null when the file is missing or is not one.
nlohmann::json parse_results(const std::filesystem::path& out) {
  std::ifstream in(out);
  if (!in) return nullptr;
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("runs") || !doc["runs"].is_array() || doc["runs"].empty()) return nullptr;
  return doc;
}

}  // namespace

ChildResult run_child(const ChildRunRequest& request, const PlannedConfig& config, int rep,
                      const std::filesystem::path& out, const std::filesystem::path& log) {
  const std::vector<std::string> argv = child_arguments(request, config, rep, out);
  ProcessOptions options;
  options.output_file = log.string();
  if (request.hygiene.fixed_env) {
    options.environment = fixed_environment(argv, {{"PYTHONHASHSEED", hash_seed_text(request.hygiene.hash_seed)}});
  }
  if (request.timeout) options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*request.timeout);
  options.cancel_fd = request.cancel_fd;
  options.own_process_group = true;  // Ctrl-C reaches phases, which stops the child and keeps what it has
  const ProcessOutcome outcome = run_supervised(argv, options);
  ChildResult result;
  switch (outcome.kind) {
    case ProcessOutcome::Kind::cancelled:
      return result;  // not_run: its partial work is discarded
    case ProcessOutcome::Kind::not_started:
      throw std::runtime_error(fmt::format("{} repetition {}: {}", config.label, rep + 1, outcome.describe()));
    case ProcessOutcome::Kind::exited:
      if (outcome.code == kExitUsage) {
        throw UsageError(fmt::format("{} repetition {}: {}", config.label, rep + 1, tail_of_file(log.string(), 15)));
      }
      break;
    case ProcessOutcome::Kind::signaled:
    case ProcessOutcome::Kind::timed_out:
      break;
  }
  if (outcome.ok()) {
    result.document = parse_results(out);
    if (!result.document.is_null()) {
      result.status = ChildResult::Status::measured;
      return result;
    }
  }
  result.status = ChildResult::Status::crashed;
  result.crashed = outcome.ok() ? "exit status 0 without a results file" : outcome.describe();
  result.log_tail = tail_of_file(log.string(), kCrashLogLines);
  return result;
}

ChildResult read_child_result(const std::filesystem::path& out) {
  ChildResult result;
  result.document = parse_results(out);
  if (!result.document.is_null()) result.status = ChildResult::Status::measured;
  return result;
}

}  // namespace fb::harness
