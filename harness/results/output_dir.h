// The output directory of a command that measures in child processes (phases, sweep): a scratch
// folder for the children's files, removed however the command leaves, and the directory itself
// removed on failure when the command created it and left it empty (no partial output).
#pragma once

#include <filesystem>
#include <system_error>

namespace fb::harness {

struct ScratchDir {
  std::filesystem::path path;  // cleared: kept (phases: an interrupted run's files, for --resume)
  bool remove = true;
  ~ScratchDir() {
    std::error_code ec;
    if (remove && !path.empty()) std::filesystem::remove_all(path, ec);
  }
};

struct OutputDirGuard {
  std::filesystem::path path;
  bool created;
  bool keep = false;
  ~OutputDirGuard() {
    std::error_code ec;
    if (created && !keep && std::filesystem::is_empty(path, ec)) std::filesystem::remove(path, ec);
  }
};

}  // namespace fb::harness
