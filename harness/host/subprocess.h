// Running a child process and waiting for it (phases runs each measurement in a fresh
// process; reports run in the Python that has matplotlib).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fb::harness {

struct ProcessOptions {
  std::string output_file;  // child's stdout+stderr go here (truncated); empty: inherit ours
  std::vector<std::pair<std::string, std::string>> env;  // added to / overriding our environment
  std::optional<std::vector<std::string>> environment;  // "NAME=value" entries replacing ours (then `env` is ignored)
  bool quiet = false;       // discard output (when output_file is empty)
};

// Exit status of the child (128 + signal number if it was killed), or -1 if it could not be
// started (errno-style message in `error`).
int run_process(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* error = nullptr);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

// The last `lines` lines of a text file ("" if unreadable).
std::string tail_of_file(const std::string& path, int lines);

}  // namespace fb::harness
