#include "harness/commands/phases/resume.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "harness/cli/exit_codes.h"
#include "harness/host/subprocess.h"
#include "harness/hygiene/process_hygiene.h"

namespace fb::harness {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> phases_arguments() {
  const std::vector<std::string>& argv = remembered_command_line();
  std::vector<std::string> out;
  // argv: fasterbench phases ARGS...
  for (std::size_t i = 2; i < argv.size(); ++i) {
    if (argv[i] == "--resume") {
      ++i;  // and its value
      continue;
    }
    if (argv[i].starts_with("--resume=")) continue;
    out.push_back(argv[i]);
  }
  return out;
}

json resume_block(const std::vector<std::string>& arguments, const fs::path& runs_dir, std::size_t planned) {
  std::error_code ec;
  return {{"arguments", arguments},
          {"cwd", fs::current_path(ec).string()},
          {"runs_dir", runs_dir.filename().string()},
          {"planned", planned},
          {"command", "fasterbench phases --resume " + runs_dir.parent_path().string()}};
}

namespace {

// DIR/results.json of an interrupted run, with its resume block checked.
json read_interrupted_unchecked(const fs::path& dir) {
  const fs::path path = dir / "results.json";
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("--resume {}: no results.json there to resume", dir.string()));
  const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || doc.value("tool", json::object()).value("command", "") != "phases") {
    throw UsageError(fmt::format("--resume {}: {} is not the results of `fasterbench phases`", dir.string(), path.string()));
  }
  if (doc.value("complete", true)) {
    throw UsageError(fmt::format("--resume {}: that run is complete; nothing to resume", dir.string()));
  }
  const json& r = doc.value("resume", json());
  if (!r.is_object() || !r.value("arguments", json()).is_array() || !r.value("cwd", json()).is_string() ||
      !r.value("runs_dir", json()).is_string() || !r.value("planned", json()).is_number_unsigned()) {
    throw UsageError(fmt::format("--resume {}: {} has no usable resume block", dir.string(), path.string()));
  }
  const std::string runs_dir = r.at("runs_dir").get<std::string>();
  if (runs_dir.empty() || runs_dir.find('/') != std::string::npos || runs_dir == "." || runs_dir == "..") {
    throw UsageError(fmt::format("--resume {}: resume.runs_dir must be a folder name inside it", dir.string()));
  }
  return doc;
}

json read_interrupted(const fs::path& dir) {
  try {
    return read_interrupted_unchecked(dir);
  } catch (const json::exception& e) {  // a value of the wrong type somewhere in it
    throw UsageError(fmt::format("--resume {}: results.json is not as an interrupted run writes it: {}", dir.string(), e.what()));
  }
}

}  // namespace

void reexecute_to_resume(const std::string& dir_text) {
  std::error_code ec;
  const fs::path dir = fs::absolute(dir_text, ec);
  const json doc = read_interrupted(dir);
  const json& r = doc.at("resume");
  std::vector<std::string> argv = {self_executable(), "phases"};
  for (const json& a : r.at("arguments")) {
    if (!a.is_string()) throw UsageError(fmt::format("--resume {}: resume.arguments must be texts", dir_text));
    argv.push_back(a.get<std::string>());
  }
  argv.insert(argv.end(), {"--resume", dir.string()});
  const std::string cwd = r.at("cwd").get<std::string>();
  if (::chdir(cwd.c_str()) != 0) {
    throw UsageError(fmt::format("--resume {}: cannot enter {}, where the run was started: {}", dir_text, cwd,
                                 std::strerror(errno)));
  }
  fmt::print(stderr, "phases: resuming {} as it was started (in {}):", dir.string(), cwd);
  for (std::size_t i = 1; i < argv.size(); ++i) fmt::print(stderr, " {}", argv[i]);
  fmt::print(stderr, "\n");
  std::fflush(stderr);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  throw std::runtime_error(fmt::format("--resume: cannot re-execute {}: {}", argv[0], std::strerror(errno)));
}

bool only_resume_given(const Command& command) {
  for (const Option& o : command.options) {
    if (o.given && o.name != "--resume") return false;
  }
  return true;
}

ResumeState load_resume_state(const fs::path& dir, const std::vector<std::string>& arguments, std::size_t planned) {
  const json doc = read_interrupted(dir);
  const json& r = doc.at("resume");
  std::vector<std::string> stored;
  for (const json& a : r.at("arguments")) stored.push_back(a.is_string() ? a.get<std::string>() : a.dump());
  if (stored != arguments) {
    std::string was;
    for (const std::string& a : stored) was += " " + a;
    throw UsageError(fmt::format("--resume {}: give --resume DIR alone; the run is resumed with the options it was "
                                 "started with:{}",
                                 dir.string(), was));
  }
  if (r.at("planned").get<std::size_t>() != planned) {
    throw UsageError(fmt::format("--resume {}: the interrupted run planned {} measurements, this one plans {} (did the "
                                 "build or the scenario change?)",
                                 dir.string(), r.at("planned").get<std::size_t>(), planned));
  }
  ResumeState state;
  state.runs_dir = dir / r.at("runs_dir").get<std::string>();
  if (!fs::is_directory(state.runs_dir)) {
    throw UsageError(fmt::format("--resume {}: the folder of finished measurements ({}) is gone", dir.string(),
                                 state.runs_dir.string()));
  }
  for (const json& run : doc.value("runs", json::array())) {
    if (!run.is_object() || !run.contains("crashed") || !run.at("crashed").is_string()) continue;
    if (!run.value("config", json()).is_string() || !run.value("repetition", json()).is_number_integer()) continue;
    ChildResult c;
    c.status = ChildResult::Status::crashed;
    c.crashed = run.at("crashed").get<std::string>();
    c.log_tail = run.value("crash_log", "");
    state.crashed[{run.value("config", ""), run.value("repetition", 0)}] = std::move(c);
  }
  return state;
}

}  // namespace fb::harness
