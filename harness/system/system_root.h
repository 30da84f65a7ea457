// The files `fasterbench system` reads and writes (/proc, /sys), relative to a root directory:
// "/" for this machine, or a fake tree of plain files for tests (the hidden --root option), so
// no test ever touches the real settings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fb::harness::system {

// One file as read: absent (the kernel does not expose it here: "not exposed"), unreadable
// (exists, but reading failed: `error` says why), or its text.
struct FileRead {
  enum class State { present, absent, unreadable };
  State state = State::absent;
  std::string text;
  std::string error;

  bool present() const { return state == State::present; }
  // The text without surrounding white space (sysfs and procfs end values with a newline).
  std::string trimmed() const;
};

class SystemRoot {
 public:
  explicit SystemRoot(std::string root = "/");

  const std::string& root() const { return root_; }
  // The path of `relative` ("proc/sys/kernel/randomize_va_space") under the root.
  std::string path(std::string_view relative) const;

  FileRead read(std::string_view relative) const;
  // Names of the entries of a directory, sorted; empty when it does not exist.
  std::vector<std::string> list(std::string_view relative_dir) const;
  bool exists(std::string_view relative) const;

  // Writes `value` to an existing file in one write(2), as sysfs and procfs require; never
  // creates a file. Returns "" on success, else the reason ("Permission denied").
  std::string write(std::string_view relative, std::string_view value) const;

 private:
  std::string root_;
};

}  // namespace fb::harness::system
