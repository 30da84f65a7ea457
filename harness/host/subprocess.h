// Running a child process and waiting for it (phases runs each measurement in a fresh
// process; reports run in the Python that has matplotlib).
#pragma once

#include <chrono>
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
  // Supervision (run_supervised only):
  std::optional<std::chrono::milliseconds> timeout;  // stop the child when it runs longer
  int cancel_fd = -1;  // stop the child as soon as this descriptor is readable (InterruptScope::fd)
  // The child leads a process group of its own, so a terminal's Ctrl-C reaches only us and we
  // decide what happens to it; stopping it signals the whole group.
  bool own_process_group = false;
};

// How a supervised child ended.
struct ProcessOutcome {
  enum class Kind {
    exited,       // `code` = its exit status
    signaled,     // `code` = the signal that killed it
    timed_out,    // ran past options.timeout and was stopped
    cancelled,    // options.cancel_fd became readable and it was stopped
    not_started,  // `error` says why
  };
  Kind kind = Kind::not_started;
  int code = 0;
  std::string error;
  std::chrono::milliseconds elapsed{0};  // from start until it ended, or until it was stopped

  bool ok() const { return kind == Kind::exited && code == 0; }
  // "exit status 1", "signal 6 (SIGABRT)", "timed out after 3 s (stopped)", "interrupted".
  std::string describe() const;
};

// Grace between SIGTERM and SIGKILL when a supervised child is stopped: time to exit cleanly.
inline constexpr std::chrono::milliseconds kStopGrace{2000};

// Exit status of the child (128 + signal number if it was killed), or -1 if it could not be
// started (errno-style message in `error`).
int run_process(const std::vector<std::string>& argv, const ProcessOptions& options, std::string* error = nullptr);

// Runs `argv` like run_process, and stops it (SIGTERM to its process group, SIGKILL after
// kStopGrace) when options.timeout passes or options.cancel_fd becomes readable. Waits without
// waking periodically (poll on a pidfd), so a child being measured is not disturbed.
ProcessOutcome run_supervised(const std::vector<std::string>& argv, const ProcessOptions& options);

// "SIGABRT" for 6 ("signal 77" when unknown).
std::string signal_name(int sig);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

// The last `lines` lines of a text file ("" if unreadable).
std::string tail_of_file(const std::string& path, int lines);

}  // namespace fb::harness
